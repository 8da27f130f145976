"""The HTTP edge: Powertools REST resolvers behind API Gateway (and `skillforge serve` locally).

`skillforge.api.career` and `skillforge.api.statements` are the two Lambdas' resolvers, `skillforge.api.app` the
whole API for the local server and the OpenAPI document. This package stays import-light so cold starts stay
short.
"""
