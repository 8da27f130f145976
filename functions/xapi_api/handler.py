"""POST /v1/xapi/statements (API Gateway REST proxy): see skillforge.xapi.api."""

from skillforge.xapi.api import handle, logger


@logger.inject_lambda_context(log_event=False)
def handler(event, context):
    return handle(event, context)
