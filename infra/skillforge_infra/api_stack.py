"""API: the REST API (Cognito for people routes, public cached reference routes), WAF, the API Lambdas, the
xAPI queue consumer, and the deploy-time migrations custom resource."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from aws_cdk import CustomResource, Duration, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from aws_cdk import custom_resources as cr
from constructs import Construct

from skillforge.limits import MAX_MATCH_SKILLS, MAX_PAGE
from skillforge.resources import physical_name

from .functions import build_function, retention, skillforge_layer
from .nag import ack
from .registry import API, function_spec, warn_missing
from .shared import Shared

STAGE = "live"
# Reference data and matching are public (DESIGN.md); every other /v1 route needs a Cognito token. A route of the
# career API resolver is public when it declares no `security` in its OpenAPI document and lives under one of
# these prefixes; anything else reaches the resolver only through the authenticated `/v1/{proxy+}`.
PUBLIC_PREFIXES = ("/v1/occupations", "/v1/skills", "/v1/releases", "/v1/match")
CACHE_TTL = Duration.minutes(10)


@dataclass(frozen=True)
class Route:
    method: str  # GET, POST, ...
    path: str  # API Gateway form, e.g. /v1/occupations/{onet_code}
    query: tuple[str, ...] = ()
    path_params: tuple[str, ...] = ()
    public: bool = True

    @property
    def cached(self) -> bool:
        return self.public and self.method == "GET"

    def request_parameters(self) -> dict[str, bool]:
        params = {f"method.request.querystring.{q}": False for q in self.query}
        params.update({f"method.request.path.{p}": True for p in self.path_params})
        return params


def _is_public_path(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in PUBLIC_PREFIXES)


def explicit_routes(document: dict | None = None) -> list[Route]:
    """The routes API Gateway names one by one, read from the career API resolver's own OpenAPI document (the code
    `skillforge serve` runs), so the gateway exposes, validates and caches exactly what the resolver serves: a new
    reference route or query parameter reaches the gateway, and its cache key, without a second list to keep in
    step. These are the public routes, plus any authenticated method on the same path (an explicit resource
    hides `{proxy+}` for its path, so such a method must be named too, with the Cognito authorizer)."""
    if document is None:
        from skillforge.api.app import openapi_document

        document = openapi_document()
    routes = []
    for path, operations in sorted(document["paths"].items()):
        for method, operation in sorted(operations.items()):
            params = operation.get("parameters", [])
            routes.append(
                Route(
                    method.upper(),
                    path,
                    query=tuple(p["name"] for p in params if p["in"] == "query"),
                    path_params=tuple(p["name"] for p in params if p["in"] == "path"),
                    public=not operation.get("security") and _is_public_path(path),
                )
            )
    public_paths = {route.path for route in routes if route.public}
    return [route for route in routes if route.path in public_paths]


MATCH_SCHEMA = apigw.JsonSchema(
    schema=apigw.JsonSchemaVersion.DRAFT4,
    type=apigw.JsonSchemaType.OBJECT,
    required=["skills"],
    properties={
        "skills": apigw.JsonSchema(
            type=apigw.JsonSchemaType.ARRAY,
            min_items=1,
            max_items=MAX_MATCH_SKILLS,
            items=apigw.JsonSchema(type=apigw.JsonSchemaType.OBJECT),
        ),
        "limit": apigw.JsonSchema(type=apigw.JsonSchemaType.INTEGER, minimum=1, maximum=MAX_PAGE),
    },
)
JSON_OBJECT_SCHEMA = apigw.JsonSchema(schema=apigw.JsonSchemaVersion.DRAFT4, type=apigw.JsonSchemaType.OBJECT)
XAPI_SCHEMA = apigw.JsonSchema(
    schema=apigw.JsonSchemaVersion.DRAFT4, type=[apigw.JsonSchemaType.OBJECT, apigw.JsonSchemaType.ARRAY]
)
# Gateway response templates are plain substitution, no VTL and no escaping: only messageString comes quoted for
# JSON. validationErrorString carries raw double quotes (`... properties (["skills"])`), so embedding it would
# emit invalid JSON; details stay an empty list, the shape the application uses.
ERROR_TEMPLATE = (
    '{"error": {"code": "$context.error.responseType", '
    '"message": $context.error.messageString, "details": []}}'
)


class ApiStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, shared: Shared, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.shared = shared
        settings = shared.settings
        env = settings.name
        layer = skillforge_layer(self, shared)
        self.functions: dict[str, lambda_.Function] = {}
        for spec in shared.functions:
            if spec.stack != API or spec.name == "db_migrate":
                continue
            fn = build_function(self, spec, shared, layer)
            if fn is not None:
                self.functions[spec.name] = fn
        self.migrations = self._migrations(layer)

        self.user_pool = cognito.UserPool(
            self,
            "Users",
            user_pool_name=physical_name(env, "users"),
            sign_in_aliases=cognito.SignInAliases(email=True),
            self_sign_up_enabled=True,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_digits=True,
                require_lowercase=True,
                require_uppercase=True,
                require_symbols=True,
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            custom_attributes={
                "role": cognito.StringAttribute(mutable=True),
                "partner_code": cognito.StringAttribute(mutable=True),
            },
            deletion_protection=settings.prod,
            removal_policy=settings.removal_policy,
        )
        # Users may not write their own role or partner; only admins (server side) set them.
        self.user_pool_client = self.user_pool.add_client(
            "AppClient",
            auth_flows=cognito.AuthFlow(user_srp=True),
            prevent_user_existence_errors=True,
            write_attributes=cognito.ClientAttributes().with_standard_attributes(
                email=True, given_name=True, family_name=True, phone_number=True, locale=True, timezone=True
            ),
        )
        ack(
            self.user_pool,
            "MFA is optional for learners (self sign-up); advisor and admin accounts are "
            "provisioned with TOTP enforced by the admin runbook.",
            "AwsSolutions-COG2",
        )
        ack(
            self.user_pool,
            "Threat protection (Plus tier) is a per-MAU cost decided per environment; "
            "compromised-credential checks are in the runbook.",
            "AwsSolutions-COG3",
            "AwsSolutions-COG8",
        )

        self.api: apigw.RestApi | None = None
        if "career_api" in self.functions or "xapi_api" in self.functions:
            self.api = self._rest_api()
            self._waf()
        else:
            warn_missing("no API function deployed yet: the REST API is not created")

    # -- REST API -------------------------------------------------------------------------------------------
    def _rest_api(self) -> apigw.RestApi:
        settings = self.shared.settings
        env = settings.name
        access_logs = logs.LogGroup(
            self,
            "ApiAccessLogs",
            retention=retention(settings.log_retention_days),
            removal_policy=settings.removal_policy,
        )
        self.explicit_routes = explicit_routes() if "career_api" in self.functions else []
        method_options = {
            f"{route.path}/{route.method}": apigw.MethodDeploymentOptions(
                caching_enabled=settings.api_cache, cache_ttl=CACHE_TTL
            )
            for route in self.explicit_routes
            if route.cached
        }
        api = apigw.RestApi(
            self,
            "Api",
            rest_api_name=physical_name(env, "api"),
            description="SkillForge HTTP API v1",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # xAPI attachments arrive as multipart/mixed with binary parts: pass them base64-encoded, untouched.
            binary_media_types=["multipart/mixed"],
            cloud_watch_role=True,
            deploy_options=apigw.StageOptions(
                stage_name=STAGE,
                tracing_enabled=True,
                metrics_enabled=True,
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
                throttling_rate_limit=settings.api_rate_limit,
                throttling_burst_limit=settings.api_burst_limit,
                cache_cluster_enabled=settings.api_cache,
                cache_cluster_size="0.5" if settings.api_cache else None,
                method_options=method_options,
            ),
        )
        ack(
            api,
            "API Gateway's account-level logging role uses the AWS-managed push-to-CloudWatch policy.",
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
        )
        for response_type in (
            apigw.ResponseType.BAD_REQUEST_BODY,
            apigw.ResponseType.BAD_REQUEST_PARAMETERS,
            apigw.ResponseType.UNAUTHORIZED,
            apigw.ResponseType.ACCESS_DENIED,
            apigw.ResponseType.THROTTLED,
            apigw.ResponseType.DEFAULT_4_XX,
            apigw.ResponseType.DEFAULT_5_XX,
        ):
            api.add_gateway_response(
                f"Gw{response_type.response_type}",
                type=response_type,
                templates={"application/json": ERROR_TEMPLATE},
            )
        validator = api.add_request_validator(
            "Validate", validate_request_body=True, validate_request_parameters=True
        )
        authorizer = None

        def private() -> dict:
            nonlocal authorizer  # created with the first people route (an unattached authorizer fails synth)
            if authorizer is None:
                authorizer = apigw.CognitoUserPoolsAuthorizer(
                    self, "Authorizer", cognito_user_pools=[self.user_pool]
                )
            return {"authorizer": authorizer, "authorization_type": apigw.AuthorizationType.COGNITO}

        v1 = api.root.add_resource("v1")
        career = self.functions.get("career_api")
        if career is not None:
            self._reference_routes(api, career, validator, private)
            proxy = v1.add_resource("{proxy+}")
            proxy.add_method("ANY", apigw.LambdaIntegration(career), **private())
        xapi = self.functions.get("xapi_api")
        if xapi is not None:
            model = api.add_model("XapiStatements", content_type="application/json", schema=XAPI_SCHEMA)
            v1.add_resource("xapi").add_resource("statements").add_method(
                "POST",
                apigw.LambdaIntegration(xapi),
                request_validator=validator,
                request_models={"application/json": model},
                request_parameters={"method.request.header.X-Experience-API-Version": True},
                **private(),
            )

        plan = api.add_usage_plan(
            "Partners",
            name=physical_name(env, "partners"),
            description="Per-partner limits when partners call with API keys",
            throttle=apigw.ThrottleSettings(
                rate_limit=max(1, settings.api_rate_limit // 10),
                burst_limit=max(2, settings.api_burst_limit // 10),
            ),
            quota=apigw.QuotaSettings(limit=1_000_000, period=apigw.Period.MONTH),
        )
        plan.add_api_stage(stage=api.deployment_stage)
        return api

    def _reference_routes(self, api, career, validator, private) -> None:
        public_reason = (
            "Reference data (O*NET occupations, skills, matching) is public by design (DESIGN.md); "
            "WAF, throttling and the cache protect it."
        )
        match_model = api.add_model("MatchRequest", content_type="application/json", schema=MATCH_SCHEMA)
        object_model = None
        for route in self.explicit_routes:
            resource = api.root.resource_for_path(route.path)
            params = route.request_parameters()
            options: dict = {"request_parameters": params or None, "request_validator": validator}
            if route.method in ("POST", "PUT", "PATCH"):
                if route.path == "/v1/match":
                    model = match_model
                else:
                    object_model = object_model or api.add_model(
                        "JsonObject", content_type="application/json", schema=JSON_OBJECT_SCHEMA
                    )
                    model = object_model
                options["request_models"] = {"application/json": model}
            integration = apigw.LambdaIntegration(
                career, cache_key_parameters=sorted(params) if route.cached and params else None
            )
            if not route.public:
                resource.add_method(route.method, integration, **options, **private())
                continue
            method = resource.add_method(route.method, integration, **options)
            ack(method, public_reason, "AwsSolutions-APIG4", "AwsSolutions-COG4")

    def _waf(self) -> None:
        settings = self.shared.settings

        def managed(name: str, priority: int, excluded: tuple[str, ...] = ()):
            return wafv2.CfnWebACL.RuleProperty(
                name=name,
                priority=priority,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS",
                        name=name,
                        rule_action_overrides=[
                            wafv2.CfnWebACL.RuleActionOverrideProperty(
                                name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                            )
                            for rule in excluded
                        ]
                        or None,
                    )
                ),
                visibility_config=_visibility(name),
            )

        acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            name=physical_name(settings.name, "api-acl"),
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility("skillforge-api"),
            rules=[
                # xAPI batches exceed the common set's 8 KB body limit; bodies are validated by the API.
                managed("AWSManagedRulesCommonRuleSet", 1, excluded=("SizeRestrictions_BODY",)),
                managed("AWSManagedRulesKnownBadInputsRuleSet", 2),
                managed("AWSManagedRulesAmazonIpReputationList", 3),
                wafv2.CfnWebACL.RuleProperty(
                    name="per-ip-rate",
                    priority=10,
                    action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                            limit=settings.waf_rate_limit_per_ip, aggregate_key_type="IP"
                        )
                    ),
                    visibility_config=_visibility("per-ip-rate"),
                ),
            ],
        )
        wafv2.CfnWebACLAssociation(
            self,
            "WebAclAssociation",
            web_acl_arn=acl.attr_arn,
            resource_arn=self.api.deployment_stage.stage_arn,
        )

    # -- migrations ------------------------------------------------------------------------------------------
    def _migrations(self, layer) -> CustomResource | None:
        shared = self.shared
        spec = function_spec("db_migrate")
        fn = build_function(self, spec, shared, layer)  # owner_db: writer security group, cluster secret
        if fn is None:
            return None
        self.functions[spec.name] = fn
        provider = cr.Provider(
            self,
            "MigrationsProvider",
            on_event_handler=fn,
            log_group=logs.LogGroup(
                self,
                "MigrationsProviderLogs",
                retention=retention(shared.settings.log_retention_days),
                removal_policy=shared.settings.removal_policy,
            ),
        )
        ack(
            provider,
            "The Provider framework's own function: CDK pins its Node.js runtime.",
            "AwsSolutions-L1",
        )
        ack(
            provider,
            "CDK's Provider framework role uses the AWS-managed logging policy.",
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]",
        )
        ack(
            provider,
            "The Provider framework may invoke any version of the one migration function it wraps.",
            f"AwsSolutions-IAM5[Resource::<{self.get_logical_id(fn.node.default_child)}.Arn>:*]",
        )
        return CustomResource(
            self,
            "Migrations",
            service_token=provider.service_token,
            resource_type="Custom::SkillforgeMigrations",
            # Re-run whenever a migration file changes; upgrade() is idempotent.
            properties={"MigrationsHash": _migrations_hash(shared.root)},
        )


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name.replace("_", "-"), sampled_requests_enabled=True
    )


def _migrations_hash(root) -> str:
    digest = hashlib.sha256()
    versions = root / "layers" / "skillforge" / "db" / "migrations" / "versions"
    for path in sorted(versions.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
