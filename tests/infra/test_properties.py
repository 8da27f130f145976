"""Assertions on the synthesized templates: encryption, rotation, TLS only, lifecycle, throttling, caching,
WAF, alarms, Lambda sizing, least privilege, and prod retention."""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Match, Template

from skillforge.resources import RESOURCES, kms_alias, physical_name
from skillforge_infra import registry
from skillforge_infra.settings import ENVIRONMENTS

from .conftest import STAND_IN_WORKFLOW_FUNCTION

pytestmark = pytest.mark.infra


def _bucket_key(synth, resource: dict) -> str:
    joined = json.dumps(resource["Properties"]["BucketName"])
    for spec in RESOURCES.buckets:
        if f'"{physical_name(synth.env, spec.key)}-"' in joined:
            return spec.key
    raise AssertionError(f"bucket with unexpected name {joined}")


def test_buckets_encrypted_versioned_private_logged_with_lifecycle(synth):
    buckets = synth.resources("AWS::S3::Bucket", "storage")
    by_key = {_bucket_key(synth, b): b for b in buckets.values()}
    assert sorted(by_key) == sorted(b.key for b in RESOURCES.buckets)
    for spec in RESOURCES.buckets:
        props = by_key[spec.key]["Properties"]
        sse = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
            "ServerSideEncryptionByDefault"
        ]
        # Server access logs can only land in an SSE-S3 bucket; every other bucket uses the data KMS key.
        assert sse["SSEAlgorithm"] == ("AES256" if spec.key == "access-logs" else "aws:kms"), spec.key
        assert props["VersioningConfiguration"]["Status"] == "Enabled"
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        if spec.key != "access-logs":
            assert props["LoggingConfiguration"]["LogFilePrefix"] == f"{spec.key}/"
        rules = {r["Id"]: r for r in props["LifecycleConfiguration"]["Rules"]}
        assert rules.get("retention", {}).get("ExpirationInDays") == spec.expire_days, spec.key
        assert (
            rules.get("noncurrent-versions", {}).get("NoncurrentVersionExpiration", {}).get("NoncurrentDays")
        ) == spec.noncurrent_expire_days, spec.key


def test_every_bucket_and_queue_denies_plain_http(synth):
    storage = synth.stack("storage")
    deny_http = Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    template = Template.from_json(storage)
    buckets = synth.resources("AWS::S3::Bucket", "storage")
    policies = synth.resources("AWS::S3::BucketPolicy", "storage")
    assert len(policies) == len(buckets)
    template.all_resources_properties(
        "AWS::S3::BucketPolicy", {"PolicyDocument": {"Statement": Match.array_with([deny_http])}}
    )
    template.all_resources_properties(
        "AWS::SQS::QueuePolicy", {"PolicyDocument": {"Statement": Match.array_with([deny_http])}}
    )
    queues = synth.resources("AWS::SQS::Queue", "storage")
    queue_policies = synth.resources("AWS::SQS::QueuePolicy", "storage")
    covered = sum(len(p["Properties"]["Queues"]) for p in queue_policies.values())
    assert covered == len(queues)


def test_queues_topics_table_and_database_are_kms_encrypted(synth):
    queues = synth.resources("AWS::SQS::Queue")
    expected = sum(2 if q.dlq else 1 for q in RESOURCES.queues)
    assert len(queues) == expected
    for name, queue in queues.items():
        assert "KmsMasterKeyId" in queue["Properties"], name
    redrive = [q for q in queues.values() if "RedrivePolicy" in q["Properties"]]
    assert len(redrive) == sum(q.dlq for q in RESOURCES.queues)
    for topic in synth.resources("AWS::SNS::Topic").values():
        assert "KmsMasterKeyId" in topic["Properties"]
    for table in synth.resources("AWS::DynamoDB::Table").values():
        assert (
            table["Properties"]["SSESpecification"]
            == {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": Match.any_value()}
            or table["Properties"]["SSESpecification"]["SSEType"] == "KMS"
        )
    (cluster,) = synth.resources("AWS::RDS::DBCluster").values()
    assert cluster["Properties"]["StorageEncrypted"] is True
    assert "KmsKeyId" in cluster["Properties"]
    assert cluster["Properties"]["EnableIAMDatabaseAuthentication"] is True


def test_every_key_rotates_and_has_its_alias(synth):
    data = synth.stack("data")
    keys = {lid: r for lid, r in data["Resources"].items() if r["Type"] == "AWS::KMS::Key"}
    assert len(keys) == len(RESOURCES.keys)
    assert all(k["Properties"]["EnableKeyRotation"] is True for k in keys.values())
    aliases = {
        r["Properties"]["AliasName"] for r in data["Resources"].values() if r["Type"] == "AWS::KMS::Alias"
    }
    assert aliases == {kms_alias(synth.env, k.key) for k in RESOURCES.keys}


def test_database_has_writer_reader_proxy_with_iam_and_rotated_secret(synth):
    data = Template.from_json(synth.stack("data"))
    data.resource_count_is("AWS::RDS::DBInstance", 2)
    data.has_resource_properties(
        "AWS::RDS::DBCluster",
        {
            "Engine": "aurora-postgresql",
            "ServerlessV2ScalingConfiguration": {
                "MinCapacity": ENVIRONMENTS[synth.env].db_min_acu,
                "MaxCapacity": ENVIRONMENTS[synth.env].db_max_acu,
            },
        },
    )
    data.has_resource_properties("AWS::RDS::DBProxy", {"RequireTLS": True, "DefaultAuthScheme": "IAM_AUTH"})
    data.has_resource_properties(
        "AWS::SecretsManager::RotationSchedule", {"RotationRules": {"ScheduleExpression": "rate(30 days)"}}
    )
    for instance in synth.resources("AWS::RDS::DBInstance").values():
        assert instance["Properties"]["PubliclyAccessible"] is False


def test_vpc_endpoints_for_every_service_the_functions_call(synth):
    endpoints = synth.resources("AWS::EC2::VPCEndpoint", "network")
    services = {json.dumps(e["Properties"]["ServiceName"]) for e in endpoints.values()}
    for service in ("s3", "dynamodb", "kms", "secretsmanager", "sqs", "states", "events"):
        assert any(f".{service}" in s for s in services), service


def test_api_throttling_tracing_logging_and_validation(synth):
    settings = ENVIRONMENTS[synth.env]
    api = Template.from_json(synth.stack("api"))
    api.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "TracingEnabled": True,
            "AccessLogSetting": {"DestinationArn": Match.any_value(), "Format": Match.any_value()},
            "MethodSettings": Match.array_with(
                [
                    Match.object_like(
                        {
                            "HttpMethod": "*",
                            "ResourcePath": "/*",
                            "ThrottlingRateLimit": settings.api_rate_limit,
                            "ThrottlingBurstLimit": settings.api_burst_limit,
                        }
                    )
                ]
            ),
        },
    )
    api.has_resource_properties(
        "AWS::ApiGateway::UsagePlan",
        {
            "Throttle": Match.object_like({"RateLimit": Match.any_value()}),
            "ApiStages": Match.array_with([Match.object_like({"Stage": Match.any_value()})]),
        },
    )
    api.has_resource_properties(
        "AWS::ApiGateway::RequestValidator", {"ValidateRequestBody": True, "ValidateRequestParameters": True}
    )
    api.resource_count_is("AWS::WAFv2::WebACLAssociation", 1)
    api.has_resource_properties("AWS::ApiGateway::RestApi", {"BinaryMediaTypes": ["multipart/mixed"]})
    api.has_resource_properties(
        "AWS::WAFv2::WebACL",
        {
            "Rules": Match.array_with(
                [Match.object_like({"Statement": {"RateBasedStatement": Match.any_value()}})]
            )
        },
    )


def _methods(synth) -> dict[str, dict]:
    """'<METHOD> <path>' -> method properties, with paths rebuilt from the resource tree."""
    resources = synth.resources("AWS::ApiGateway::Resource", "api")
    by_id = {key.split("/")[-1]: r["Properties"] for key, r in resources.items()}

    def path_of(ref) -> str:
        if not isinstance(ref, dict) or "Ref" not in ref:
            return ""
        props = by_id[ref["Ref"]]
        return f"{path_of(props['ParentId'])}/{props['PathPart']}"

    return {
        f"{m['Properties']['HttpMethod']} {path_of(m['Properties']['ResourceId'])}": m["Properties"]
        for m in synth.resources("AWS::ApiGateway::Method", "api").values()
    }


def _openapi() -> dict:
    from skillforge.api.app import openapi_document

    return openapi_document()


def _operations() -> dict[str, dict]:
    """'<METHOD> <path>' -> operation, from the resolver `skillforge serve` runs."""
    return {
        f"{method.upper()} {path}": op
        for path, ops in _openapi()["paths"].items()
        for method, op in ops.items()
    }


def test_every_resolver_route_is_reachable_with_the_right_authorization(synth):
    """Public reference routes are named at the gateway without auth; every other route of the resolver reaches
    it only with a Cognito token (named explicitly, or through /v1/{proxy+})."""
    from skillforge_infra.api_stack import PUBLIC_PREFIXES

    methods = _methods(synth)
    operations = _operations()
    assert {
        "GET /v1/occupations",
        "GET /v1/occupations/{onet_code}",
        "GET /v1/skills",
        "POST /v1/match",
    } <= set(operations)
    for route, op in operations.items():
        path = route.split(" ", 1)[1]
        public = not op.get("security") and any(
            path == p or path.startswith(p + "/") for p in PUBLIC_PREFIXES
        )
        if public:
            assert methods[route]["AuthorizationType"] == "NONE", route
        elif route in methods:
            assert methods[route]["AuthorizationType"] == "COGNITO_USER_POOLS", route
        else:
            # Not named: API Gateway sends it to /v1/{proxy+} only if no named resource has this exact path.
            assert not any(m.split(" ", 1)[1] == path for m in methods), (
                f"{route} is hidden by a named resource"
            )
    assert methods["ANY /v1/{proxy+}"]["AuthorizationType"] == "COGNITO_USER_POOLS"
    assert methods["POST /v1/xapi/statements"]["AuthorizationType"] == "COGNITO_USER_POOLS"
    for route, props in methods.items():
        if props["AuthorizationType"] == "NONE":
            assert route in operations, f"{route} is public at the gateway but the resolver does not serve it"


def test_reference_routes_are_cached_in_prod_keyed_on_every_parameter(prod):
    (stage,) = prod.resources("AWS::ApiGateway::Stage").values()
    props = stage["Properties"]
    assert props["CacheClusterEnabled"] is True
    cached = {
        s["ResourcePath"].replace("~1", "/")[1:] for s in props["MethodSettings"] if s.get("CachingEnabled")
    }
    methods = _methods(prod)
    public_gets = {
        route.split(" ", 1)[1]
        for route, m in methods.items()
        if route.startswith("GET ") and m["AuthorizationType"] == "NONE"
    }
    assert cached == public_gets and "/v1/occupations" in cached
    # Every parameter that changes the answer is in the cache key, or `?job_zone=3` is served `?q=`'s answer.
    operations = _operations()
    for path in cached:
        expected = {
            f"method.request.{'querystring' if p['in'] == 'query' else 'path'}.{p['name']}"
            for p in operations[f"GET {path}"].get("parameters", [])
            if p["in"] in ("query", "path")
        }
        assert set(methods[f"GET {path}"]["Integration"].get("CacheKeyParameters", [])) == expected, path


def test_reference_routes_are_not_cached_in_dev(dev):
    (stage,) = dev.resources("AWS::ApiGateway::Stage").values()
    assert not stage["Properties"].get("CacheClusterEnabled")


def test_explicit_routes_name_private_methods_sharing_a_public_path():
    from skillforge_infra.api_stack import explicit_routes

    document = {
        "paths": {
            "/v1/occupations/{onet_code}": {
                "get": {
                    "parameters": [{"name": "onet_code", "in": "path"}, {"name": "release", "in": "query"}]
                },
                "delete": {
                    "security": [{"bearerAuth": []}],
                    "parameters": [{"name": "onet_code", "in": "path"}],
                },
            },
            "/v1/users/{id}": {"get": {"security": [{"bearerAuth": []}]}},
            "/v1/partners": {"get": {}},  # no security declared, but not a reference route: never public
        }
    }
    routes = {f"{r.method} {r.path}": r for r in explicit_routes(document)}
    assert set(routes) == {"GET /v1/occupations/{onet_code}", "DELETE /v1/occupations/{onet_code}"}
    assert (
        routes["GET /v1/occupations/{onet_code}"].public and routes["GET /v1/occupations/{onet_code}"].cached
    )
    assert not routes["DELETE /v1/occupations/{onet_code}"].public
    assert routes["GET /v1/occupations/{onet_code}"].query == ("release",)


def _functions(synth) -> dict[str, dict]:
    out = {}
    for resource in synth.resources("AWS::Lambda::Function").values():
        name = resource["Properties"].get("FunctionName")
        if isinstance(name, str):
            out[name] = resource["Properties"]
    return out


def test_functions_follow_the_registry_table(synth):
    functions = _functions(synth)
    for spec in registry.FUNCTIONS:
        props = functions[physical_name(synth.env, spec.name)]
        assert props["Runtime"] in ("python3.12", "python3.13", "python3.14")
        assert props["Architectures"] == ["arm64"]
        assert props["MemorySize"] == spec.memory_mb
        assert props["Timeout"] == spec.timeout_s
        assert props.get("ReservedConcurrentExecutions") == spec.reserved.get(synth.env), spec.name
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert props["Handler"] == "handler.handler"
        assert len(props["Layers"]) == 1
        assert ("VpcConfig" in props) == (spec.database or spec.owner_db), spec.name
        assert props.get("EphemeralStorage", {"Size": 512}) == {"Size": spec.ephemeral_mb}, spec.name


def test_xapi_batch_consumes_its_queue_with_partial_batch_failures(synth):
    (mapping,) = synth.resources("AWS::Lambda::EventSourceMapping").values()
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert "xapiintake" in json.dumps(mapping["Properties"]["EventSourceArn"]).replace("-", "")


def _policy_text_by_function(synth) -> dict[str, str]:
    """Function name -> its role's inline policies, from whichever stack (api, workflows) holds it."""
    out = {}
    for template in synth.templates.values():
        resources = template.get("Resources", {})
        for props in (r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Function"):
            if not isinstance(props.get("FunctionName"), str):
                continue
            role_id = props["Role"]["Fn::GetAtt"][0]
            docs = [
                r["Properties"]["PolicyDocument"]
                for r in resources.values()
                if r["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in r["Properties"]["Roles"]
            ]
            assert docs, props["FunctionName"]
            out[props["FunctionName"]] = json.dumps(docs)
    return out


def _key_logical_id(synth, key: str) -> str:
    for resource in synth.stack("data")["Resources"].values():
        if resource["Type"] == "AWS::KMS::Alias" and resource["Properties"]["AliasName"] == kms_alias(
            synth.env, key
        ):
            return resource["Properties"]["TargetKeyId"]["Fn::GetAtt"][0]
    raise AssertionError(key)


def test_pii_keys_only_for_functions_that_need_them(synth):
    policies = _policy_text_by_function(synth)
    pii = [k.key for k in RESOURCES.keys if k.pii]
    for spec in registry.FUNCTIONS:
        text = policies[physical_name(synth.env, spec.name)]
        for key in pii:
            granted = f"FnGetAtt{_key_logical_id(synth, key)}Arn" in text
            assert granted == (key in spec.pii_keys), f"{spec.name} / {key}"


def test_no_function_policy_has_service_or_global_wildcards(synth):
    for name, text in _policy_text_by_function(synth).items():
        for statement in (s for doc in json.loads(text) for s in doc["Statement"]):
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert not any(a == "*" or a.endswith(":*") for a in actions), (name, actions)
            if statement["Resource"] == "*":
                assert all(a.startswith("xray:") for a in actions), (name, actions)


def test_alarms_cover_api_functions_database_queues_and_notify_the_alert_topic(synth):
    alarms = synth.resources("AWS::CloudWatch::Alarm", "observability")
    by_metric: dict[str, list[dict]] = {}
    for alarm in alarms.values():
        props = alarm["Properties"]
        assert props["AlarmActions"], props["AlarmName"]
        assert "alerts" in json.dumps(props["AlarmActions"]).lower() or "Topic" in json.dumps(
            props["AlarmActions"]
        )
        by_metric.setdefault(props["MetricName"], []).append(props)
    assert {
        "5XXError",
        "Latency",
        "Errors",
        "Throttles",
        "ServerlessDatabaseCapacity",
        "ACUUtilization",
        "ApproximateNumberOfMessagesVisible",
    } <= set(by_metric)
    names = {physical_name(synth.env, s.name) for s in (*registry.FUNCTIONS, STAND_IN_WORKFLOW_FUNCTION)}
    for metric in ("Errors", "Throttles"):
        watched = {d["Value"] for a in by_metric[metric] for d in a["Dimensions"]}
        assert watched == names
    (capacity,) = by_metric["ServerlessDatabaseCapacity"]
    assert capacity["Threshold"] == pytest.approx(0.8 * ENVIRONMENTS[synth.env].db_max_acu)
    Template.from_json(synth.stack("observability")).resource_count_is("AWS::CloudWatch::Dashboard", 1)


STATEFUL = (
    "AWS::RDS::DBCluster",
    "AWS::KMS::Key",
    "AWS::S3::Bucket",
    "AWS::DynamoDB::Table",
    "AWS::SQS::Queue",
    "AWS::Cognito::UserPool",
    "AWS::SecretsManager::Secret",
)


def test_prod_retains_stateful_resources_and_protects_them(prod):
    for type_ in STATEFUL:
        found = prod.resources(type_)
        optional = type_ == "AWS::DynamoDB::Table" and not RESOURCES.tables  # none declared today
        assert found or optional, type_
        for name, resource in found.items():
            assert resource.get("DeletionPolicy") == "Retain", name
    (cluster,) = prod.resources("AWS::RDS::DBCluster").values()
    assert cluster["Properties"]["DeletionProtection"] is True
    assert cluster["Properties"]["BackupRetentionPeriod"] >= 7
    for table in prod.resources("AWS::DynamoDB::Table").values():
        assert table["Properties"]["DeletionProtectionEnabled"] is True


def test_prod_stacks_have_termination_protection(prod):
    manifest = json.loads((prod.outdir / "manifest.json").read_text())
    stacks = {k: v for k, v in manifest["artifacts"].items() if v["type"] == "aws:cloudformation:stack"}
    assert stacks and all(v["properties"].get("terminationProtection") for v in stacks.values())


def test_dev_cleans_up(dev):
    (cluster,) = dev.resources("AWS::RDS::DBCluster").values()
    assert cluster.get("DeletionPolicy") == "Delete"
    assert cluster["Properties"]["DeletionProtection"] is False


def test_migrations_run_at_deploy_through_a_provider(synth):
    api = Template.from_json(synth.stack("api"))
    api.has_resource(
        "Custom::SkillforgeMigrations",
        {
            "Properties": {
                "ServiceToken": Match.any_value(),
                "MigrationsHash": Match.string_like_regexp("^[0-9a-f]{16}$"),
            }
        },
    )
    functions = _functions(synth)
    env = functions[physical_name(synth.env, "db_migrate")]["Environment"]["Variables"]
    assert "SKILLFORGE_DB_SECRET_ARN" in env


def test_state_machines_get_exactly_the_access_their_placeholders_name(synth):
    workflows = synth.stack("workflows")["Resources"]
    machines = {lid: r for lid, r in workflows.items() if r["Type"] == "AWS::StepFunctions::StateMachine"}
    assert len(machines) == len(RESOURCES.state_machines)
    for machine in machines.values():
        props = machine["Properties"]
        role_id = props["RoleArn"]["Fn::GetAtt"][0]
        policy = json.dumps(
            [
                r["Properties"]["PolicyDocument"]
                for r in workflows.values()
                if r["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in r["Properties"]["Roles"]
            ]
        )
        definition = json.dumps(props["DefinitionString"])
        for placeholder, action in (
            ("FunctionArn}", "lambda:InvokeFunction"),
            ("GlueJobName}", "glue:StartJobRun"),
            ("TopicArn}", "sns:Publish"),
            ("QueueUrl}", "sqs:SendMessage"),
            ("EventBusName}", "events:PutEvents"),
        ):
            assert (placeholder in definition) == (action in policy), (props["StateMachineName"], action)
        assert props["TracingConfiguration"] == {"Enabled": True}
        assert props["LoggingConfiguration"]["Level"] == "ALL"


def test_triggers_start_the_workflows(synth):
    rules = synth.resources("AWS::Events::Rule", "workflows").values()
    schedules = sorted(
        r["Properties"]["ScheduleExpression"] for r in rules if "ScheduleExpression" in r["Properties"]
    )
    triggers = (*registry.STATE_MACHINE_TRIGGERS.values(), *registry.FUNCTION_TRIGGERS.values())
    assert schedules == sorted(t.schedule for t in triggers if t.schedule)
    patterns = [r["Properties"]["EventPattern"] for r in rules if "EventPattern" in r["Properties"]]
    assert sorted(p["detail-type"][0] for p in patterns) == sorted(
        t.detail_type for t in registry.STATE_MACHINE_TRIGGERS.values() if t.detail_type
    )
    assert all(p["source"] == [registry.EVENT_SOURCE] for p in patterns)


def test_glue_jobs_run_in_the_vpc_with_encryption(synth):
    jobs = synth.resources("AWS::Glue::Job")
    assert {j["Properties"]["Name"] for j in jobs.values()} == {
        physical_name(synth.env, job.name) for job in registry.GLUE_JOBS
    }
    for job in jobs.values():
        props = job["Properties"]
        assert props["GlueVersion"] == "5.0"
        assert props["SecurityConfiguration"] and props["Connections"]["Connections"]
        assert "--extra-py-files" in props["DefaultArguments"]
    (config,) = synth.resources("AWS::Glue::SecurityConfiguration").values()
    encryption = config["Properties"]["EncryptionConfiguration"]
    assert encryption["S3Encryptions"][0]["S3EncryptionMode"] == "SSE-KMS"
    assert encryption["CloudWatchEncryption"]["CloudWatchEncryptionMode"] == "SSE-KMS"


def test_queue_consumers_time_out_well_within_the_visibility_timeout():
    queues = {q.key: q for q in RESOURCES.queues}
    consumers = [spec for spec in registry.FUNCTIONS if spec.queue_source]
    assert consumers
    for spec in consumers:
        # AWS guidance for SQS event sources: visibility >= 6 x function timeout, or retries overlap.
        assert queues[spec.queue_source].visibility_timeout_s >= 6 * spec.timeout_s, spec.name


def test_only_database_functions_may_connect_through_the_proxy(synth):
    for spec in registry.FUNCTIONS:
        text = _policy_text_by_function(synth)[physical_name(synth.env, spec.name)]
        assert ("rds-db:connect" in text) == spec.database, spec.name


def test_every_route_integrates_with_its_function(synth):
    api = synth.stack("api")["Resources"]
    name_by_logical_id = {
        lid: r["Properties"]["FunctionName"]
        for lid, r in api.items()
        if r["Type"] == "AWS::Lambda::Function" and isinstance(r["Properties"].get("FunctionName"), str)
    }
    methods = _methods(synth)
    assert len(methods) > 5
    for route in methods:
        function = "xapi_api" if route == "POST /v1/xapi/statements" else "career_api"
        integration = methods[route]["Integration"]
        assert integration["Type"] == "AWS_PROXY", route
        targets = {
            name_by_logical_id[lid] for lid in name_by_logical_id if lid in json.dumps(integration["Uri"])
        }
        assert targets == {physical_name(synth.env, function)}, route


def test_deployed_lambdas_serve_the_routes_skillforge_serve_runs():
    """Between them the career_api and xapi_api handlers serve exactly the routes of the whole API that the local
    server runs, through the same resolver construction (error handlers, body checks, metrics)."""
    import importlib.util

    from skillforge.api import app, career, statements

    from .conftest import REPO

    def handler_of(name):
        spec = importlib.util.spec_from_file_location(
            f"{name}_handler", REPO / f"functions/{name}/handler.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.handler

    assert handler_of("career_api") is career.lambda_handler
    assert handler_of("xapi_api") is statements.lambda_handler

    def routes(resolver):
        return {
            (route.rule.pattern, route.method) for route in resolver._static_routes + resolver._dynamic_routes
        }

    served = routes(career.app) | routes(statements.app)
    assert routes(career.app) & routes(statements.app) == set()
    assert served == routes(app.app)


def _subnets_by_exit(synth) -> dict[str, set[str]]:
    """Subnet logical ids of the network stack, by where their default route goes: igw, nat or none."""
    network = synth.stack("network")["Resources"]
    table_of = {
        r["Properties"]["SubnetId"]["Ref"]: r["Properties"]["RouteTableId"]["Ref"]
        for r in network.values()
        if r["Type"] == "AWS::EC2::SubnetRouteTableAssociation"
    }
    exits: dict[str, str] = {}
    for route in (r["Properties"] for r in network.values() if r["Type"] == "AWS::EC2::Route"):
        if route.get("DestinationCidrBlock") == "0.0.0.0/0":
            exits[route["RouteTableId"]["Ref"]] = "nat" if "NatGatewayId" in route else "igw"
    out: dict[str, set[str]] = {"igw": set(), "nat": set(), "none": set()}
    for lid, r in network.items():
        if r["Type"] == "AWS::EC2::Subnet":
            out[exits.get(table_of[lid], "none")].add(lid)
    return out


def _subnet_refs(value, candidates: set[str]) -> set[str]:
    text = json.dumps(value)
    return {lid for lid in candidates if lid in text}


def test_database_in_isolated_subnets_compute_in_private_subnets(synth):
    subnets = _subnets_by_exit(synth)
    assert len(subnets["none"]) == len(subnets["nat"]) == 2  # two AZs each
    every = set().union(*subnets.values())
    data = synth.stack("data")["Resources"]
    placed = [r["Properties"]["SubnetIds"] for r in data.values() if r["Type"] == "AWS::RDS::DBSubnetGroup"]
    placed += [r["Properties"]["VpcSubnetIds"] for r in data.values() if r["Type"] == "AWS::RDS::DBProxy"]
    assert len(placed) == 2
    for ids in placed:
        assert _subnet_refs(ids, every) == subnets["none"]
    compute = [
        r["Properties"]["VpcConfig"]["SubnetIds"]
        for r in synth.resources("AWS::Lambda::Function").values()
        if "VpcConfig" in r["Properties"]
    ]
    compute += [
        r["Properties"]["ConnectionInput"]["PhysicalConnectionRequirements"]["SubnetId"]
        for r in synth.resources("AWS::Glue::Connection").values()
    ]
    compute += [
        r["Properties"]["SubnetIds"]
        for r in synth.resources("AWS::EC2::VPCEndpoint", "network").values()
        if r["Properties"].get("VpcEndpointType") == "Interface"
    ]
    assert len(compute) > 5
    for ids in compute:
        assert _subnet_refs(ids, every) and _subnet_refs(ids, every) <= subnets["nat"]


def test_physical_names_come_from_the_shared_resource_description(synth):
    """CDK and the local moto stack both name things through skillforge.resources: no other spelling exists."""
    from skillforge.resources import secret_name

    env = synth.env

    def names(type_: str, prop: str) -> set[str]:
        return {r["Properties"][prop] for r in synth.resources(type_).values()}

    assert names("AWS::SQS::Queue", "QueueName") == (
        {physical_name(env, q.key) for q in RESOURCES.queues}
        | {physical_name(env, f"{q.key}-dlq") for q in RESOURCES.queues if q.dlq}
    )
    assert names("AWS::SNS::Topic", "TopicName") == {physical_name(env, t) for t in RESOURCES.topics}
    assert names("AWS::Events::EventBus", "Name") == {physical_name(env, RESOURCES.event_bus)}
    assert names("AWS::SecretsManager::Secret", "Name") == {secret_name(env, s) for s in RESOURCES.secrets}
    assert names("AWS::DynamoDB::Table", "TableName") == {physical_name(env, t) for t in RESOURCES.tables}
    assert names("AWS::StepFunctions::StateMachine", "StateMachineName") == {
        physical_name(env, m.key) for m in RESOURCES.state_machines
    }
    assert names("AWS::RDS::DBCluster", "DBClusterIdentifier") == {physical_name(env, "db")}


def test_gateway_errors_are_valid_json_in_the_api_error_shape(synth):
    """API Gateway substitutes $context variables without escaping; only messageString arrives JSON-quoted."""
    substitutions = {
        "$context.error.messageString": json.dumps('Invalid "request" body'),
        "$context.error.responseType": "BAD_REQUEST_BODY",
        "$context.error.validationErrorString": '[object has missing required properties (["skills"])]',
        "$context.error.message": 'Invalid "request" body',
    }
    responses = synth.resources("AWS::ApiGateway::GatewayResponse", "api")
    assert len(responses) >= 6
    for name, response in responses.items():
        body = response["Properties"]["ResponseTemplates"]["application/json"]
        for variable in sorted(substitutions, key=len, reverse=True):
            body = body.replace(variable, substitutions[variable])
        error = json.loads(body)["error"]
        assert set(error) == {"code", "message", "details"}, name
        assert isinstance(error["details"], list), name


def _logical_id(synth, stack: str, type_: str, name_property: str, name: str) -> str:
    (found,) = [
        lid
        for lid, r in synth.stack(stack)["Resources"].items()
        if r["Type"] == type_ and r["Properties"].get(name_property) == name
    ]
    return found


def _owner_secret_ids(synth) -> set[str]:
    """The cluster secret and its attachment (CDK's `cluster.secret` names the attachment)."""
    from skillforge.resources import secret_name

    data = synth.stack("data")["Resources"]
    secret = _logical_id(
        synth, "data", "AWS::SecretsManager::Secret", "Name", secret_name(synth.env, "db-credentials")
    )
    return {secret} | {
        lid
        for lid, r in data.items()
        if r["Type"] == "AWS::SecretsManager::SecretTargetAttachment"
        and r["Properties"]["SecretId"] == {"Ref": secret}
    }


def _reads_owner_secret(policy_text: str, secret_ids: set[str]) -> bool:
    for statement in (s for doc in json.loads(policy_text) for s in doc["Statement"]):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        if "secretsmanager:GetSecretValue" in actions and any(
            i in json.dumps(statement["Resource"]) for i in secret_ids
        ):
            return True
    return False


def test_only_owner_functions_read_the_owner_secret_and_reach_the_writer(synth):
    """The cluster (owner) secret opens every schema: only the registry's owner_db functions may read it, they
    run in the writer's owner security group, and they never get the proxy's application-role rights."""
    functions = _functions(synth)
    policies = _policy_text_by_function(synth)
    secret_ids = _owner_secret_ids(synth)
    assert len(secret_ids) == 2
    migrator_sg = [
        lid
        for lid, r in synth.stack("data")["Resources"].items()
        if r["Type"] == "AWS::EC2::SecurityGroup" and "migration" in r["Properties"]["GroupDescription"]
    ]
    assert len(migrator_sg) == 1
    owners = {s.name for s in registry.FUNCTIONS if s.owner_db}
    assert owners >= {"db_migrate", "onet_import"}
    for spec in registry.FUNCTIONS:
        name = physical_name(synth.env, spec.name)
        props, text = functions[name], policies[name]
        assert _reads_owner_secret(text, secret_ids) == spec.owner_db, spec.name
        assert ("SKILLFORGE_DB_SECRET_ARN" in props["Environment"]["Variables"]) == spec.owner_db, spec.name
        if spec.owner_db:
            assert migrator_sg[0] in json.dumps(props["VpcConfig"]["SecurityGroupIds"]), spec.name
            assert "rds-db:connect" not in text, spec.name


def test_onet_import_reads_only_the_raw_bucket_and_announces_on_the_bus(synth):
    name = physical_name(synth.env, "onet_import")
    props = _functions(synth)[name]
    assert (props["MemorySize"], props["Timeout"], props["EphemeralStorage"]) == (3008, 900, {"Size": 2048})
    assert props.get("ReservedConcurrentExecutions") == (1 if synth.env == "prod" else None)
    statements = [s for doc in json.loads(_policy_text_by_function(synth)[name]) for s in doc["Statement"]]
    actions = {
        a for s in statements for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    }
    s3_resources = json.dumps(
        [
            s["Resource"]
            for s in statements
            if any(
                a.startswith("s3:") for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
            )
        ]
    )
    assert f"{physical_name(synth.env, 'onet-raw')}-" in s3_resources
    for other in (b.key for b in RESOURCES.buckets if b.key != "onet-raw"):
        assert f"{physical_name(synth.env, other)}-" not in s3_resources, other
    assert not any(a.startswith(("s3:Put", "s3:Delete", "s3:Abort")) for a in actions), actions
    assert "events:PutEvents" in actions
    assert not any(a.startswith(("sqs:", "dynamodb:")) for a in actions), actions
    # failures go to the alerts topic, and nowhere else
    publish = [s for s in statements if "sns:Publish" in json.dumps(s["Action"])]
    assert len(publish) == 1 and "alerts" in json.dumps(publish[0]["Resource"]).lower()
    assert {a for a in actions if a.startswith("sns:")} == {"sns:Publish"}


def test_onet_import_runs_monthly_on_the_latest_release_keys(synth):
    from skillforge.onet import remote

    function_id = _logical_id(
        synth, "workflows", "AWS::Lambda::Function", "FunctionName", physical_name(synth.env, "onet_import")
    )
    rules = [
        r["Properties"]
        for r in synth.resources("AWS::Events::Rule", "workflows").values()
        if function_id in json.dumps(r["Properties"].get("Targets", []))
    ]
    assert len(rules) == 1
    (rule,) = rules
    assert rule["ScheduleExpression"] == "cron(0 6 1 * ? *)" and rule["State"] == "ENABLED"
    (target,) = rule["Targets"]
    event = json.loads(target["Input"])
    assert event == {
        "key": remote.LATEST_KEY,
        "bls_prefix": remote.LATEST_BLS_PREFIX,
        "jaat_prefix": remote.LATEST_JAAT_PREFIX,
    }
    # the scheduled event is a valid request for the deployed bucket
    request = remote.parse_request(event)
    assert (request.key, request.bls_prefix) == ("onet/latest/db_text.zip", "bls/latest/")
    permissions = [
        r["Properties"]
        for r in synth.resources("AWS::Lambda::Permission", "workflows").values()
        if function_id in json.dumps(r["Properties"]["FunctionName"])
    ]
    assert [p["Principal"] for p in permissions] == ["events.amazonaws.com"]
