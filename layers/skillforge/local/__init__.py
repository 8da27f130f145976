"""The local stack: a moto server with the resources the CDK app declares (from `skillforge.resources`)."""
