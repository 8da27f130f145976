"""The career API: one Powertools REST resolver behind API Gateway (and `skillforge serve` locally).

Import `skillforge.api.app` for the resolver; this package stays import-light so cold starts stay short.
"""
