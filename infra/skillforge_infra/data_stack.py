"""Data: KMS keys, Aurora PostgreSQL Serverless v2 (writer + reader), RDS Proxy with IAM auth, and the secrets.

Everything here outlives compute: the API and workflow stacks can be destroyed and redeployed freely.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from skillforge.resources import RESOURCES, kms_alias, physical_name, secret_name

from .nag import ack
from .settings import EnvSettings

DB_NAME = "skillforge"
DB_MASTER_USER = "skillforge_owner"  # owns the schema; used only by migrations
APP_DB_USER = "skillforge_app"  # the non-owner role the application logs in as (row-level security applies)
# The all-tenants role (migration 0005): workflows and platform administration only.
PLATFORM_DB_USER = "skillforge_platform"
ENGINE = rds.DatabaseClusterEngine.aurora_postgres(version=rds.AuroraPostgresEngineVersion.VER_16_9)


class DataStack(Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, settings: EnvSettings, vpc: ec2.IVpc, **kwargs
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        env = settings.name
        self.keys: dict[str, kms.Key] = {}
        for spec in RESOURCES.keys:
            self.keys[spec.key] = kms.Key(
                self,
                f"Key-{spec.key}",
                alias=kms_alias(env, spec.key),
                description=spec.purpose,
                enable_key_rotation=True,
                removal_policy=settings.removal_policy,
                pending_window=Duration.days(30 if settings.prod else 7),
            )
        data_key = self.keys["data"]
        # CloudWatch alarms publish to the encrypted alerts topic; EventBridge delivers to encrypted queues.
        data_key.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                principals=[
                    iam.ServicePrincipal("cloudwatch.amazonaws.com"),
                    iam.ServicePrincipal("events.amazonaws.com"),
                ],
            )
        )
        # Glue jobs encrypt their CloudWatch logs with this key (the Glue security configuration).
        data_key.add_to_resource_policy(
            iam.PolicyStatement(
                actions=[
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                resources=["*"],
                principals=[iam.ServicePrincipal(f"logs.{Aws.REGION}.amazonaws.com")],
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:/aws-glue/*"
                    }
                },
            )
        )

        self.db_client_sg = ec2.SecurityGroup(
            self, "DbClientSg", vpc=vpc, description="Lambdas and Glue jobs that use the RDS Proxy"
        )
        self.migrator_sg = ec2.SecurityGroup(
            self, "MigratorSg", vpc=vpc, description="The deploy-time migration function (writer endpoint)"
        )

        isolated = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        compute = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        self.cluster = rds.DatabaseCluster(
            self,
            "Aurora",
            cluster_identifier=physical_name(env, "db"),
            engine=ENGINE,
            credentials=rds.Credentials.from_generated_secret(
                DB_MASTER_USER, secret_name=secret_name(env, "db-credentials"), encryption_key=data_key
            ),
            default_database_name=DB_NAME,
            writer=rds.ClusterInstance.serverless_v2("writer", publicly_accessible=False),
            readers=[
                rds.ClusterInstance.serverless_v2("reader", scale_with_writer=True, publicly_accessible=False)
            ],
            serverless_v2_min_capacity=settings.db_min_acu,
            serverless_v2_max_capacity=settings.db_max_acu,
            vpc=vpc,
            vpc_subnets=isolated,
            storage_encrypted=True,
            storage_encryption_key=data_key,
            iam_authentication=True,
            deletion_protection=settings.prod,
            backup=rds.BackupProps(
                retention=Duration.days(settings.db_backup_days), preferred_window="07:00-08:00"
            ),
            cloudwatch_logs_exports=["postgresql"],
            removal_policy=settings.removal_policy,
            copy_tags_to_snapshot=True,
        )
        # The owner credentials must live as long as the cluster they open.
        self.cluster.node.find_child("Secret").apply_removal_policy(settings.removal_policy)
        self.cluster.add_rotation_single_user(automatically_after=Duration.days(30), vpc_subnets=compute)
        self.cluster.connections.allow_default_port_from(
            self.migrator_sg, "migrations connect to the writer as the schema owner"
        )

        # End-to-end IAM: clients sign a token for `skillforge_app` (or `skillforge_platform`), and the proxy signs in to Aurora with IAM
        # too, so no application password exists anywhere.
        proxy_role = iam.Role(self, "ProxyRole", assumed_by=iam.ServicePrincipal("rds.amazonaws.com"))
        self.cluster.grant_connect(proxy_role, APP_DB_USER)
        self.cluster.grant_connect(proxy_role, PLATFORM_DB_USER)
        self.proxy = rds.DatabaseProxy(
            self,
            "Proxy",
            db_proxy_name=physical_name(env, "db-proxy"),
            proxy_target=rds.ProxyTarget.from_cluster(self.cluster),
            vpc=vpc,
            vpc_subnets=isolated,
            default_auth_scheme=rds.DefaultAuthScheme.IAM_AUTH,
            iam_auth=True,
            require_tls=True,
            role=proxy_role,
            idle_client_timeout=Duration.minutes(30),
        )
        self.proxy.connections.allow_from(self.db_client_sg, ec2.Port.tcp(5432), "application connections")
        self.cluster.connections.allow_default_port_from(self.proxy, "proxy to Aurora")

        self.secrets: dict[str, secretsmanager.ISecret] = {"db-credentials": self.cluster.secret}
        self.blind_index_key = secretsmanager.Secret(
            self,
            "BlindIndexKey",
            secret_name=secret_name(env, "blind-index-key"),
            description="HMAC key for blind indexes of encrypted PII columns (lookup without decrypting)",
            encryption_key=self.keys["pii_user"],
            removal_policy=settings.removal_policy,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
        )
        self.secrets["blind-index-key"] = self.blind_index_key
        ack(
            self.blind_index_key,
            "Rotating the blind-index key invalidates every stored index; it is rotated by "
            "a re-index migration, not on a timer.",
            "AwsSolutions-SMG4",
        )
        ack(
            self.cluster,
            "Aurora listens on PostgreSQL's port inside isolated subnets reachable only from the "
            "proxy and migrator security groups; a non-default port adds nothing there.",
            "AwsSolutions-RDS11",
        )
        if not settings.prod:
            ack(self.cluster, "dev is disposable; prod enables deletion protection.", "AwsSolutions-RDS10")
