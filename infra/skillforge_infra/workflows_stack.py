"""Workflows: Glue jobs, workflow Lambdas, and the Step Functions state machines of `step_functions/`, with
their schedules and event triggers.

State machine definitions are ASL JSON with `${Placeholders}`; `substitutions()` is the one place that says
which names exist (docs/deploy.md lists the convention), and each placeholder used also grants the state
machine's role exactly the access that resource needs.
"""

from __future__ import annotations

import re

from aws_cdk import ArnFormat, Aws, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from skillforge.resources import RESOURCES, bucket_name, physical_name

from .data_stack import APP_DB_USER, DB_NAME, PLATFORM_DB_USER
from .functions import (
    bucket_object_acks,
    build_function,
    grant_data_access,
    retention,
    skillforge_layer,
    wildcard_acks,
)
from .nag import ack
from .registry import (
    EVENT_SOURCE,
    FUNCTION_TRIGGERS,
    GLUE_JOBS,
    STATE_MACHINE_TRIGGERS,
    WORKFLOWS,
    GlueJobSpec,
    warn_missing,
)
from .shared import Shared

PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
GLUE_VERSION = "5.0"  # Python 3.11, like the project
# Installed by Glue from PyPI at job start (through the NAT); the skillforge package itself comes as a zip.
GLUE_MODULES = "psycopg[binary]>=3.2,pydantic>=2.7,pydantic-settings>=2.3,aws-encryption-sdk>=4,alembic>=1.13"


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[-_]", name))


def placeholders(definition: str) -> list[str]:
    return sorted(set(PLACEHOLDER.findall(definition)))


class WorkflowsStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, shared: Shared, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.shared = shared
        self.functions: dict[str, lambda_.Function] = {}
        workflow_specs = [spec for spec in shared.functions if spec.stack == WORKFLOWS]
        if any(spec.exists(shared.root) for spec in workflow_specs):
            layer = skillforge_layer(self, shared)
            for spec in workflow_specs:
                fn = build_function(self, spec, shared, layer)
                if fn is not None:
                    self.functions[spec.name] = fn
                    self._function_trigger(spec.name, fn)

        self.glue_jobs: dict[str, glue.CfnJob] = {}
        jobs = [job for job in GLUE_JOBS if job.exists(shared.root)]
        for job in GLUE_JOBS:
            if not job.exists(shared.root):
                warn_missing(
                    f"glue_jobs/{job.name}.py not found: Glue job {job.name!r} is registered but not deployed"
                )
        # Always present, so the stack is never empty and jobs added later find their network ready.
        self._glue_base()
        if jobs:
            for job in jobs:
                self.glue_jobs[job.name] = self._glue_job(job)

        self.state_machines: dict[str, sfn.StateMachine] = {}
        self.unfilled: dict[str, list[str]] = {}
        for machine in RESOURCES.state_machines:
            path = shared.root / "step_functions" / machine.definition
            if not path.is_file():
                warn_missing(
                    f"step_functions/{machine.definition} not found: state machine {machine.key!r} "
                    "is registered but not deployed"
                )
                continue
            self.state_machines[machine.key] = self._state_machine(machine, path.read_text())

    def _function_trigger(self, name: str, fn: lambda_.Function) -> None:
        trigger = FUNCTION_TRIGGERS.get(name)
        if trigger is None or not trigger.schedule:
            return
        event = events.RuleTargetInput.from_object(trigger.input) if trigger.input is not None else None
        events.Rule(
            self,
            f"{name}-Schedule",
            schedule=events.Schedule.expression(trigger.schedule),
            targets=[targets.LambdaFunction(fn, event=event)],
            description=f"Scheduled run of {name}",
        )

    # -- Glue ------------------------------------------------------------------------------------------------
    def _glue_base(self) -> None:
        shared = self.shared
        env = shared.settings.name
        data_key = shared.keys["data"]
        self.glue_security = glue.CfnSecurityConfiguration(
            self,
            "GlueSecurity",
            name=physical_name(env, "glue-security"),
            encryption_configuration=glue.CfnSecurityConfiguration.EncryptionConfigurationProperty(
                s3_encryptions=[
                    glue.CfnSecurityConfiguration.S3EncryptionProperty(
                        s3_encryption_mode="SSE-KMS", kms_key_arn=data_key.key_arn
                    )
                ],
                cloud_watch_encryption=glue.CfnSecurityConfiguration.CloudWatchEncryptionProperty(
                    cloud_watch_encryption_mode="SSE-KMS", kms_key_arn=data_key.key_arn
                ),
                job_bookmarks_encryption=glue.CfnSecurityConfiguration.JobBookmarksEncryptionProperty(
                    job_bookmarks_encryption_mode="CSE-KMS", kms_key_arn=data_key.key_arn
                ),
            ),
        )
        # Glue workers talk to each other inside this group (Glue requires the self-reference).
        self.glue_sg = ec2.SecurityGroup(self, "GlueSg", vpc=shared.vpc, description="Glue job workers")
        self.glue_sg.add_ingress_rule(self.glue_sg, ec2.Port.all_tcp(), "Glue workers among themselves")
        subnet = shared.vpc.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS).subnets[0]
        self.glue_connection = glue.CfnConnection(
            self,
            "GlueNetwork",
            catalog_id=Aws.ACCOUNT_ID,
            connection_input=glue.CfnConnection.ConnectionInputProperty(
                name=physical_name(env, "glue-network"),
                connection_type="NETWORK",
                physical_connection_requirements=glue.CfnConnection.PhysicalConnectionRequirementsProperty(
                    subnet_id=subnet.subnet_id,
                    availability_zone=subnet.availability_zone,
                    security_group_id_list=[
                        self.glue_sg.security_group_id,
                        shared.db_client_sg.security_group_id,
                    ],
                ),
            ),
        )
        self.skillforge_zip: s3_assets.Asset | None = None

    def _skillforge_package(self) -> s3_assets.Asset:
        if self.skillforge_zip is None:
            self.skillforge_zip = s3_assets.Asset(
                self,
                "SkillforgePackage",
                path=str(self.shared.root / "layers"),
                exclude=["**/__pycache__", "*.egg-info", "**/*.pyc"],
            )
        return self.skillforge_zip

    def _glue_job(self, job: GlueJobSpec) -> glue.CfnJob:
        shared = self.shared
        env = shared.settings.name
        script = s3_assets.Asset(self, f"{job.name}-Script", path=str(job.path(shared.root)))
        role = iam.Role(
            self,
            f"{job.name}-Role",
            assumed_by=iam.ServicePrincipal("glue.amazonaws.com"),
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWSGlueServiceRole")
            ],
        )
        script.grant_read(role)
        # The security configuration encrypts the job's CloudWatch logs: Glue associates the key on start.
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["logs:AssociateKmsKey"],
                resources=[
                    self.format_arn(
                        service="logs",
                        resource="log-group",
                        resource_name="/aws-glue/*",
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                    )
                ],
            )
        )
        ack(
            role,
            "Glue creates its log groups under /aws-glue/ per run; the key can only be associated there.",
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:"
            "log-group:/aws-glue/*]",
        )
        package = self._skillforge_package()
        package.grant_read(role)
        if job.database:
            shared.proxy.grant_connect(role, APP_DB_USER)
        if job.database and job.all_tenants:
            shared.proxy.grant_connect(role, PLATFORM_DB_USER)
        grant_data_access(role, job, shared)
        shared.keys["data"].grant_encrypt_decrypt(role)  # the security configuration's key
        ack(
            role,
            "AWS-managed Glue service policy (Glue's own logging, metrics and ENI management).",
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSGlueServiceRole]",
        )
        wildcard_acks(role)
        bucket_object_acks(role, shared, job.buckets_read + job.buckets_write)
        ack(
            role,
            "CDK asset grants cover the objects of the bootstrap assets bucket (scripts and the package).",
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-"
            "<AWS::Region>/*]",
        )
        return glue.CfnJob(
            self,
            f"{job.name}-Job",
            name=physical_name(env, job.name),
            description=job.purpose,
            role=role.role_arn,
            glue_version=GLUE_VERSION,
            command=glue.CfnJob.JobCommandProperty(
                name="glueetl", python_version="3", script_location=script.s3_object_url
            ),
            worker_type=job.worker_type,
            number_of_workers=job.workers,
            timeout=job.timeout_min,
            max_retries=0,
            security_configuration=self.glue_security.name,
            connections=glue.CfnJob.ConnectionsListProperty(connections=[self.glue_connection.ref]),
            execution_property=glue.CfnJob.ExecutionPropertyProperty(max_concurrent_runs=4),
            default_arguments={
                "--job-language": "python",
                "--enable-metrics": "true",
                "--enable-continuous-cloudwatch-log": "true",
                "--extra-py-files": package.s3_object_url,
                "--additional-python-modules": GLUE_MODULES,
                "--SKILLFORGE_ENV": env,
                "--SKILLFORGE_DB_PROXY_ENDPOINT": shared.proxy.endpoint,
                "--SKILLFORGE_DB_NAME": DB_NAME,
            },
        )

    # -- Step Functions --------------------------------------------------------------------------------------
    def substitutions(self) -> dict[str, tuple[str, object]]:
        """Placeholder -> (value, what it names). The naming convention of definitions lives here."""
        shared = self.shared
        env = shared.settings.name
        subs: dict[str, tuple[str, object]] = {"Env": (env, None)}
        for name, fn in self.functions.items():
            subs[f"{camel(name)}FunctionArn"] = (fn.function_arn, ("function", fn))
            subs[f"{camel(name)}FunctionName"] = (fn.function_name, ("function", fn))
        for name, job in self.glue_jobs.items():
            subs[f"{camel(name)}GlueJobName"] = (job.name, ("glue", job))
        for spec in RESOURCES.buckets:
            subs[f"{camel(spec.key)}BucketName"] = (
                bucket_name(env, spec.key, Aws.ACCOUNT_ID),
                ("bucket", spec.key),
            )
        for key, queue in shared.queues.items():
            subs[f"{camel(key)}QueueUrl"] = (queue.queue_url, ("queue", queue))
            subs[f"{camel(key)}QueueArn"] = (queue.queue_arn, ("queue", queue))
        subs["AlertsTopicArn"] = (shared.alerts.topic_arn, ("topic", shared.alerts))
        subs["EventBusName"] = (shared.bus.event_bus_name, ("bus", shared.bus))
        subs["EventBusArn"] = (shared.bus.event_bus_arn, ("bus", shared.bus))
        for name, table in shared.tables.items():
            subs[f"{camel(name)}TableName"] = (table.table_name, ("table", table))
        for machine in RESOURCES.state_machines:
            arn = self.format_arn(
                service="states",
                resource="stateMachine",
                resource_name=physical_name(env, machine.key),
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
            )
            subs[f"{camel(machine.key)}StateMachineArn"] = (arn, ("state_machine", arn))
        return subs

    def _state_machine(self, machine, definition: str) -> sfn.StateMachine:
        shared = self.shared
        env = shared.settings.name
        known = self.substitutions()
        used = placeholders(definition)
        missing = [name for name in used if name not in known]
        if missing:
            self.unfilled[machine.key] = missing
            warn_missing(
                f"step_functions/{machine.definition}: no value for placeholder(s) {missing}; see "
                "docs/deploy.md for the names the app provides"
            )
        log_group = logs.LogGroup(
            self,
            f"{machine.key}-Logs",
            log_group_name=f"/aws/vendedlogs/states/{physical_name(env, machine.key)}",
            retention=retention(shared.settings.log_retention_days),
            removal_policy=shared.settings.removal_policy,
        )
        state_machine = sfn.StateMachine(
            self,
            f"StateMachine-{machine.key}",
            state_machine_name=physical_name(env, machine.key),
            comment=machine.purpose,
            definition_body=sfn.DefinitionBody.from_string(definition),
            definition_substitutions={name: known[name][0] for name in used if name in known},
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
        )
        for name in used:
            if name in known:
                self._grant_for(state_machine, known[name][1])
        ack(
            state_machine,
            "Step Functions log delivery and X-Ray actions support no resource-level permissions.",
            "AwsSolutions-IAM5[Resource::*]",
        )
        wildcard_acks(state_machine)
        self._trigger(machine.key, state_machine)
        return state_machine

    def _grant_for(self, state_machine: sfn.StateMachine, target) -> None:
        if target is None:
            return
        kind, resource = target
        role = state_machine.role
        if kind == "function":
            resource.grant_invoke(role)
            ack(
                state_machine,
                "Invoke any version/alias of this one function (Lambda task integration).",
                f"AwsSolutions-IAM5[Resource::<{Stack.of(resource).get_logical_id(resource.node.default_child)}"
                ".Arn>:*]",
            )
        elif kind == "glue":
            role.add_to_principal_policy(
                iam.PolicyStatement(
                    actions=["glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"],
                    resources=[self.format_arn(service="glue", resource="job", resource_name=resource.name)],
                )
            )
        elif kind == "bucket":
            self.shared.bucket(state_machine, resource).grant_read_write(role)
            bucket_object_acks(state_machine, self.shared, (resource,))
        elif kind == "queue":
            resource.grant_send_messages(role)
        elif kind == "topic":
            resource.grant_publish(role)
        elif kind == "bus":
            resource.grant_put_events_to(role)
        elif kind == "table":
            resource.grant_read_write_data(role)
        elif kind == "state_machine":
            role.add_to_principal_policy(
                iam.PolicyStatement(actions=["states:StartExecution"], resources=[resource])
            )

    def _trigger(self, key: str, state_machine: sfn.StateMachine) -> None:
        trigger = STATE_MACHINE_TRIGGERS.get(key)
        if trigger is None:
            return
        target = targets.SfnStateMachine(state_machine)
        if trigger.schedule:
            events.Rule(
                self,
                f"{key}-Schedule",
                schedule=events.Schedule.expression(trigger.schedule),
                targets=[target],
                description=f"Scheduled start of {key}",
            )
        if trigger.detail_type:
            events.Rule(
                self,
                f"{key}-OnEvent",
                event_bus=self.shared.bus,
                targets=[target],
                event_pattern=events.EventPattern(source=[EVENT_SOURCE], detail_type=[trigger.detail_type]),
                description=f"{trigger.detail_type} on the SkillForge bus starts {key}",
            )
