"""Routers of the API, one module per resource group; the assemblies (`skillforge.api.career`,
`skillforge.api.statements`, `skillforge.api.app`) choose which ones a resolver serves."""
