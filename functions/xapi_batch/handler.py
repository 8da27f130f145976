"""SQS batch of xAPI statements (partial batch failures): see skillforge.xapi.sqs."""

from skillforge.xapi.sqs import handle_batch, logger


@logger.inject_lambda_context(log_event=False)
def handler(event, context):
    return handle_batch(event, context)
