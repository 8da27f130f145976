"""Observability: alarms (API 5xx and latency, Lambda errors and throttles, DLQ depth, failed workflows,
database capacity) into the alerts topic, and one dashboard.

Metrics are addressed by the physical names from `skillforge.resources`, so this stack holds no cross-stack
references to compute and can be redeployed on its own.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_sns as sns
from constructs import Construct

from skillforge.resources import RESOURCES, physical_name

from .api_stack import STAGE
from .settings import EnvSettings

FIVE_MIN = Duration.minutes(5)
API_P99_LATENCY_MS = 3000
API_5XX_RATE = 0.01  # 1% of requests
DB_CAPACITY_SHARE = 0.8  # of the configured maximum ACUs


class ObservabilityStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: EnvSettings,
        alerts: sns.ITopic,
        function_names: list[str],
        state_machine_keys: list[str],
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        env = settings.name
        self.alarms: list[cw.Alarm] = []
        action = cw_actions.SnsAction(alerts)

        def alarm(
            id_: str,
            metric: cw.IMetric,
            threshold: float,
            description: str,
            comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            periods: int = 1,
        ):
            created = cw.Alarm(
                self,
                id_,
                alarm_name=f"{physical_name(env, id_)}",
                metric=metric,
                threshold=threshold,
                evaluation_periods=periods,
                comparison_operator=comparison,
                treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
                alarm_description=description,
            )
            created.add_alarm_action(action)
            created.add_ok_action(action)
            self.alarms.append(created)
            return created

        api_dims = {"ApiName": physical_name(env, "api"), "Stage": STAGE}
        api_5xx = cw.Metric(
            namespace="AWS/ApiGateway",
            metric_name="5XXError",
            dimensions_map=api_dims,
            statistic="Average",
            period=FIVE_MIN,
        )
        api_latency = cw.Metric(
            namespace="AWS/ApiGateway",
            metric_name="Latency",
            dimensions_map=api_dims,
            statistic="p99",
            period=FIVE_MIN,
        )
        api_count = cw.Metric(
            namespace="AWS/ApiGateway",
            metric_name="Count",
            dimensions_map=api_dims,
            statistic="Sum",
            period=FIVE_MIN,
        )
        alarm("api-5xx", api_5xx, API_5XX_RATE, "More than 1% of API requests failed with 5xx", periods=2)
        alarm("api-latency-p99", api_latency, API_P99_LATENCY_MS, "API p99 latency above 3 s", periods=3)

        fn_widgets: list[cw.IMetric] = []
        throttle_widgets: list[cw.IMetric] = []
        for name in function_names:
            dims = {"FunctionName": physical_name(env, name)}
            errors = cw.Metric(
                namespace="AWS/Lambda",
                metric_name="Errors",
                dimensions_map=dims,
                statistic="Sum",
                period=FIVE_MIN,
            )
            throttles = cw.Metric(
                namespace="AWS/Lambda",
                metric_name="Throttles",
                dimensions_map=dims,
                statistic="Sum",
                period=FIVE_MIN,
            )
            alarm(f"{name}-errors", errors, 5, f"{name}: 5 or more errors in 5 minutes")
            alarm(
                f"{name}-throttles",
                throttles,
                1,
                f"{name}: throttled (reserved concurrency or account limit)",
            )
            fn_widgets.append(errors.with_(label=name))
            throttle_widgets.append(throttles.with_(label=name))

        db_dims = {"DBClusterIdentifier": physical_name(env, "db")}
        capacity = cw.Metric(
            namespace="AWS/RDS",
            metric_name="ServerlessDatabaseCapacity",
            dimensions_map=db_dims,
            statistic="Average",
            period=FIVE_MIN,
        )
        acu_util = cw.Metric(
            namespace="AWS/RDS",
            metric_name="ACUUtilization",
            dimensions_map=db_dims,
            statistic="Average",
            period=FIVE_MIN,
        )
        alarm(
            "db-capacity",
            capacity,
            settings.db_max_acu * DB_CAPACITY_SHARE,
            f"Aurora above {int(DB_CAPACITY_SHARE * 100)}% of its {settings.db_max_acu} ACU ceiling",
            periods=3,
        )
        alarm("db-acu-utilization", acu_util, 90, "Aurora ACU utilisation above 90%", periods=3)

        dlq_metrics = []
        for queue in RESOURCES.queues:
            if not queue.dlq:
                continue
            dlq_name = physical_name(env, f"{queue.key}-dlq") + (".fifo" if queue.fifo else "")
            depth = cw.Metric(
                namespace="AWS/SQS",
                metric_name="ApproximateNumberOfMessagesVisible",
                dimensions_map={"QueueName": dlq_name},
                statistic="Maximum",
                period=FIVE_MIN,
            )
            alarm(f"{queue.key}-dlq-depth", depth, 1, f"Messages dead-lettered from {queue.key}")
            dlq_metrics.append(depth.with_(label=queue.key))

        sfn_metrics = []
        for key in state_machine_keys:
            arn = self.format_arn(
                service="states",
                resource="stateMachine",
                resource_name=physical_name(env, key),
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
            )
            failed = cw.Metric(
                namespace="AWS/States",
                metric_name="ExecutionsFailed",
                dimensions_map={"StateMachineArn": arn},
                statistic="Sum",
                period=FIVE_MIN,
            )
            alarm(f"{key}-failed", failed, 1, f"Workflow {key} failed")
            sfn_metrics.append(failed.with_(label=key))

        dashboard = cw.Dashboard(self, "Dashboard", dashboard_name=physical_name(env, "overview"))
        dashboard.add_widgets(
            cw.GraphWidget(title="API requests", left=[api_count], width=8),
            cw.GraphWidget(title="API 5xx rate", left=[api_5xx], width=8),
            cw.GraphWidget(title="API p99 latency (ms)", left=[api_latency], width=8),
        )
        dashboard.add_widgets(
            cw.GraphWidget(title="Lambda errors", left=fn_widgets or [api_5xx], width=12),
            cw.GraphWidget(title="Lambda throttles", left=throttle_widgets or [api_5xx], width=12),
        )
        dashboard.add_widgets(
            cw.GraphWidget(title="Aurora capacity (ACU)", left=[capacity], right=[acu_util], width=12),
            cw.GraphWidget(title="Dead-letter queues", left=dlq_metrics or [capacity], width=6),
            cw.GraphWidget(title="Failed workflows", left=sfn_metrics or [capacity], width=6),
        )
