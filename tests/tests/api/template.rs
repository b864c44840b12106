//! What `template.yaml` promises about documents (U5) and least privilege: checked on the
//! template itself, since no AWS account is at hand to deploy it (cfn-lint checks its syntax).

use portal_api::lambda::ORIGIN_SECRET_HEADER;
use portal_api::metrics;
use portal_api::routes::{self, Area, Auth, Route};
use serde_yaml::Value as Yaml;

pub(crate) fn template() -> Yaml {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).expect("template")).expect("yaml")
}

/// The binary a function runs: its code is the directory cargo-lambda builds that binary into
/// (`target/lambda/{binary}/`), which every function of the binary's area shares.
pub(crate) fn binary(function: &Yaml) -> String {
    let code = function["Properties"]["CodeUri"].as_str().expect("CodeUri");
    let binary = code.strip_prefix("target/lambda/").and_then(|b| b.strip_suffix('/'));
    binary
        .filter(|b| !b.contains('/'))
        .unwrap_or_else(|| panic!("CodeUri {code} is not target/lambda/{{binary}}/"))
        .to_owned()
}

/// A resource's YAML as text (intrinsic functions such as `!GetAtt` included), for searching.
fn text(value: &Yaml) -> String {
    serde_yaml::to_string(value).expect("yaml")
}

/// A YAML snippet (intrinsic functions included), to compare a template's value with.
fn yaml(snippet: &str) -> Yaml {
    serde_yaml::from_str(snippet).expect("snippet")
}

/// Every function with its policies (as text).
fn function_policies(template: &Yaml) -> Vec<(String, String)> {
    template["Resources"]
        .as_mapping()
        .expect("resources")
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::Serverless::Function"))
        .map(|(id, r)| (id.as_str().expect("id").to_owned(), text(&r["Properties"]["Policies"])))
        .collect()
}

#[test]
fn u5_the_documents_bucket_is_private_encrypted_with_its_key_versioned_and_tls_only() {
    let template = template();
    let bucket = &template["Resources"]["DocumentsBucket"]["Properties"];

    let blocks = &bucket["PublicAccessBlockConfiguration"];
    for setting in ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"] {
        assert_eq!(blocks[setting].as_bool(), Some(true), "{setting}");
    }
    let encryption = text(&bucket["BucketEncryption"]);
    assert!(encryption.contains("SSEAlgorithm: aws:kms") && encryption.contains("DocumentsKey.Arn"), "{encryption}");
    assert_eq!(template["Resources"]["DocumentsKey"]["Properties"]["EnableKeyRotation"].as_bool(), Some(true));
    assert_eq!(bucket["VersioningConfiguration"]["Status"].as_str(), Some("Enabled"));
    let cors = &bucket["CorsConfiguration"]["CorsRules"][0];
    assert_eq!(text(&cors["AllowedMethods"]).trim(), "- POST", "browsers only post uploads");
    // One origin, the portal's: its custom domain, or without one the distribution's host.
    let origin =
        "[!If [HasCustomDomain, !Sub 'https://${DomainName}', !Sub 'https://${FrontendDistribution.DomainName}']]";
    assert_eq!(cors["AllowedOrigins"], yaml(origin), "one origin, the portal's");
    let lifecycle = text(&bucket["LifecycleConfiguration"]);
    assert!(lifecycle.contains("Prefix: quarantine/") && lifecycle.contains("ExpirationInDays: 1"), "{lifecycle}");

    let policy = &template["Resources"]["DocumentsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0];
    assert_eq!(policy["Effect"].as_str(), Some("Deny"));
    assert_eq!(policy["Condition"]["Bool"]["aws:SecureTransport"].as_str(), Some("false"));
}

#[test]
fn u2_every_upload_to_quarantine_runs_the_scan_function() {
    let template = template();
    let event = &template["Resources"]["ScanFunction"]["Properties"]["Events"]["Upload"];
    assert_eq!(event["Type"].as_str(), Some("S3"));
    assert!(text(&event["Properties"]["Bucket"]).contains("DocumentsBucket"));
    assert_eq!(event["Properties"]["Events"].as_str(), Some("s3:ObjectCreated:*"));
    let rule = &event["Properties"]["Filter"]["S3Key"]["Rules"][0];
    assert_eq!((rule["Name"].as_str(), rule["Value"].as_str()), (Some("prefix"), Some("quarantine/")));
    let failures = &template["Resources"]["ScanFunction"]["Properties"]["EventInvokeConfig"];
    assert!(text(&failures["DestinationConfig"]["OnFailure"]["Destination"]).contains("ScanDeadLetters.Arn"));
}

#[test]
fn functions_get_only_what_their_route_needs() {
    let policies = function_policies(&template());

    for (function, policy) in &policies {
        // The one exception: text messages go to phone numbers, which have no ARN; that
        // function may publish to no topic.
        let any_resource = policy.contains("Resource: '*'") || policy.contains("Resource: \"*\"");
        let sms_only = function == "NotifyFunction" && policy.contains("Effect: Deny") && policy.contains(":sns:*:*:*");
        assert!(!any_resource || sms_only, "{function}: any resource");
        assert!(!policy.contains("dynamodb:Scan"), "{function}: table scans");
    }
    for (function, statement) in function_statements(&template()) {
        let actions = match &statement["Action"] {
            Yaml::Sequence(actions) => actions.iter().filter_map(Yaml::as_str).collect(),
            action => vec![action.as_str().expect("action")],
        };
        assert!(!actions.iter().any(|a| a.ends_with('*')), "{function}: a wildcard action in {actions:?}");
    }
    // Writing into the bucket: uploads (through the signed form) go to quarantine/ only;
    // verified copies are written by verification only; data exports go to exports/ only.
    let writers: Vec<&str> =
        policies.iter().filter(|(_, p)| p.contains("s3:PutObject")).map(|(f, _)| f.as_str()).collect();
    assert_eq!(writers, ["ExportMyDataFunction", "RequestUploadFunction", "CompleteUploadFunction", "ScanFunction"]);
    let export = &policies.iter().find(|(f, _)| f == "ExportMyDataFunction").expect("export").1;
    assert!(
        export.contains("/exports/*") && !export.contains("/documents/*") && !export.contains("/quarantine/*"),
        "{export}"
    );
    let upload = &policies.iter().find(|(f, _)| f == "RequestUploadFunction").expect("upload").1;
    assert!(upload.contains("/quarantine/*") && !upload.contains("/documents/*"), "{upload}");
    let download = &policies.iter().find(|(f, _)| f == "DownloadDocumentFunction").expect("download").1;
    assert!(download.contains("/documents/*") && !download.contains("/quarantine/*"), "quarantine is never served");
    let readers: Vec<&str> = policies.iter().filter(|(_, p)| p.contains("s3:")).map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        readers,
        [
            "ExportMyDataFunction",
            "RequestUploadFunction",
            "CompleteUploadFunction",
            "DownloadDocumentFunction",
            "DeleteDocumentFunction",
            "ScanFunction"
        ],
        "no other function touches the bucket"
    );
}

#[test]
fn n2_n3_the_stream_reports_failed_records_isolates_them_and_parks_them_in_a_dead_letter_queue() {
    let template = template();
    let resources = &template["Resources"];
    let function = &resources["NotifyFunction"]["Properties"];
    let stream = &function["Events"]["Stream"];
    assert_eq!(stream["Type"].as_str(), Some("DynamoDB"));
    let source = &stream["Properties"];
    assert!(text(&source["Stream"]).contains("PortalTable.StreamArn"));
    assert_eq!(text(&source["FunctionResponseTypes"]).trim(), "- ReportBatchItemFailures");
    assert_eq!(source["BisectBatchOnFunctionError"].as_bool(), Some(true));
    assert!(source["MaximumRetryAttempts"].as_u64().is_some_and(|n| (1..=10).contains(&n)), "finite retries");
    assert!(text(&source["DestinationConfig"]["OnFailure"]["Destination"]).contains("NotifyDeadLetters.Arn"));
    let filter = source["FilterCriteria"]["Filters"][0]["Pattern"].as_str().expect("filter");
    assert!(filter.contains("INSERT") && filter.contains("EVENT#"), "only new events reach the function");
    assert!(text(&function["ReservedConcurrentExecutions"]).contains("NotifyConcurrency"), "reserved concurrency");

    let alarms: Vec<String> = resources
        .as_mapping()
        .expect("resources")
        .values()
        .filter(|r| r["Type"].as_str() == Some("AWS::CloudWatch::Alarm"))
        .map(|r| {
            format!(
                "{} {}",
                r["Properties"]["MetricName"].as_str().unwrap_or_default(),
                text(&r["Properties"]["Dimensions"])
            )
        })
        .collect();
    assert!(alarms.iter().any(|a| a.starts_with("IteratorAge") && a.contains("NotifyFunction")), "{alarms:?}");
    assert!(
        alarms.iter().any(|a| a.starts_with("ApproximateNumberOfMessagesVisible") && a.contains("NotifyDeadLetters")),
        "{alarms:?}"
    );
    assert_eq!(
        resources["PortalTable"]["Properties"]["TimeToLiveSpecification"]["AttributeName"].as_str(),
        Some("expiresAt")
    );
}

#[test]
fn functions_built_from_one_binary_get_the_same_configuration() {
    // A binary reads its configuration at init for all its routes: one function left without a
    // variable the others have fails on every call.
    let template = template();
    let mut by_binary: std::collections::BTreeMap<String, Vec<(String, Vec<String>)>> = Default::default();
    for (id, resource) in template["Resources"].as_mapping().expect("resources") {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let binary = binary(resource);
        let variables = resource["Properties"]["Environment"]["Variables"]
            .as_mapping()
            .map(|m| m.keys().filter_map(|k| k.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        by_binary.entry(binary).or_default().push((id.as_str().expect("id").to_owned(), variables));
    }
    for (binary, functions) in by_binary {
        let (first, expected) = &functions[0];
        for (function, variables) in &functions {
            assert_eq!(variables, expected, "{function} and {first} (both `{binary}`) differ");
        }
    }
}

#[test]
fn the_web_app_and_the_api_share_one_origin_and_the_api_is_never_cached() {
    let template = template();
    let resources = &template["Resources"];
    let distribution = &resources["FrontendDistribution"]["Properties"]["DistributionConfig"];
    let api = distribution["CacheBehaviors"]
        .as_sequence()
        .expect("behaviours")
        .iter()
        .find(|b| b["PathPattern"].as_str() == Some("/api/*"))
        .expect("/api/* has its own behaviour");
    let origins = distribution["Origins"].as_sequence().expect("origins");
    let api_origin = origins.iter().find(|o| o["Id"] == api["TargetOriginId"]).expect("api origin");
    let api_address =
        "!If [HasCustomDomain, !Ref ApiDomainName, !Sub '${HttpApi}.execute-api.${AWS::Region}.amazonaws.com']";
    assert_eq!(api_origin["DomainName"], yaml(api_address), "/api/* goes to the HTTP API");
    assert_eq!(api["CachePolicyId"].as_str(), Some("4135ea2d-6df8-44a3-9df3-4b5a84be39ad"), "CachingDisabled");
    assert!(distribution.get("CustomErrorResponses").is_none(), "the API's errors reach the browser unchanged");
    let app_origin = origins.iter().find(|o| o["Id"] == distribution["DefaultCacheBehavior"]["TargetOriginId"]);
    assert!(text(&app_origin.expect("app origin")["OriginAccessControlId"]).contains("FrontendOriginAccess"));
    let bucket = &resources["FrontendBucket"]["Properties"]["PublicAccessBlockConfiguration"];
    assert_eq!(bucket["RestrictPublicBuckets"].as_bool(), Some(true), "the app is only reached through CloudFront");
    let headers = text(&resources["FrontendSecurityHeaders"]["Properties"]);
    assert!(headers.contains("StrictTransportSecurity") && headers.contains("default-src 'self'"));
}

/// `infra/edge.yaml`: the stack deployed in us-east-1 for what CloudFront takes only from there.
fn edge_template() -> Yaml {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/edge.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).expect("edge template")).expect("yaml")
}

fn distribution(template: &Yaml) -> &Yaml {
    &template["Resources"]["FrontendDistribution"]["Properties"]["DistributionConfig"]
}

fn api_behaviour(template: &Yaml) -> &Yaml {
    distribution(template)["CacheBehaviors"]
        .as_sequence()
        .expect("behaviours")
        .iter()
        .find(|b| b["PathPattern"].as_str() == Some("/api/*"))
        .expect("/api/* has its own behaviour")
}

fn api_origin(template: &Yaml) -> &Yaml {
    let target = &api_behaviour(template)["TargetOriginId"];
    distribution(template)["Origins"]
        .as_sequence()
        .expect("origins")
        .iter()
        .find(|o| &o["Id"] == target)
        .expect("origin")
}

/// The number a `!Ref` to a parameter stands for by default, with the parameter's minimum.
fn parameter_number(template: &Yaml, reference: &Yaml) -> (u64, u64) {
    let name = text(reference).trim().strip_prefix("!Ref ").expect("a !Ref to a parameter").to_owned();
    let parameter = &template["Parameters"][name.as_str()];
    let number = |field: &str| parameter[field].as_u64().unwrap_or_else(|| panic!("{name}: {field}"));
    (number("Default"), number("MinValue"))
}

#[test]
fn i2_cloudfront_is_behind_a_waf_acl_with_the_managed_rules_and_a_rate_rule_on_auth_routes() {
    let edge = edge_template();
    let acl = &edge["Resources"]["WebAcl"];
    assert_eq!(acl["Type"].as_str(), Some("AWS::WAFv2::WebACL"));
    assert_eq!(acl["Properties"]["Scope"].as_str(), Some("CLOUDFRONT"));
    // CLOUDFRONT web ACLs exist only in us-east-1: the edge stack refuses any other region.
    let region = text(&edge["Rules"]["OnlyInUsEast1"]["Assertions"][0]["Assert"]);
    assert!(region.contains("AWS::Region") && region.contains("us-east-1"), "{region}");

    let rules = acl["Properties"]["Rules"].as_sequence().expect("rules");
    for group in ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"] {
        let rule = rules
            .iter()
            .find(|r| r["Statement"]["ManagedRuleGroupStatement"]["Name"].as_str() == Some(group))
            .unwrap_or_else(|| panic!("{group} is not used"));
        assert_eq!(rule["Statement"]["ManagedRuleGroupStatement"]["VendorName"].as_str(), Some("AWS"));
        // `None` keeps the group's own actions (block); `Count` would only watch.
        assert!(rule["OverrideAction"].get("None").is_some(), "{group} blocks");
    }

    let rate = rules.iter().find(|r| r["Statement"].get("RateBasedStatement").is_some()).expect("a rate rule");
    assert!(rate["Action"].get("Block").is_some());
    assert_eq!(rate["Action"]["Block"]["CustomResponse"]["ResponseCode"].as_u64(), Some(429));
    let statement = &rate["Statement"]["RateBasedStatement"];
    assert_eq!(statement["AggregateKeyType"].as_str(), Some("IP"), "counted per client address");
    let scope = &statement["ScopeDownStatement"]["ByteMatchStatement"];
    assert!(scope["FieldToMatch"].get("UriPath").is_some());
    assert_eq!(scope["PositionalConstraint"].as_str(), Some("STARTS_WITH"));
    let prefix = scope["SearchString"].as_str().expect("search string");
    // The rule counts every account route a caller reaches without a token (where passwords and
    // codes are guessed), and nothing outside the auth area; the area's signed-in routes under
    // `/api/me/` are behind the authorizer and the per-account limits.
    let counted: Vec<&Route> = routes::all().filter(|r| r.path.starts_with(prefix)).collect();
    assert!(counted.iter().all(|r| r.area == Area::Auth), "the rate rule covers the auth area only");
    for public in routes::all().filter(|r| r.area == Area::Auth && r.auth == Auth::Public) {
        assert!(public.path.starts_with(prefix), "{} is not counted by the rate rule", public.path);
    }
    let logging = text(&edge["Resources"]["WebAclLogging"]["Properties"]["RedactedFields"]);
    assert!(logging.contains("authorization") && logging.contains("cookie"), "no token reaches WAF's logs (S4)");

    // The distribution is associated with it, by the ARN the edge stack outputs, whenever one is
    // given (a development stage may go without: infra/deploy/test_deploy.py holds prod to one).
    let template = template();
    let acl = text(&distribution(&template)["WebACLId"]);
    assert!(acl.contains("HasWebAcl") && acl.contains("!Ref WebAclArn"), "{acl}");
    let condition = text(&template["Conditions"]["HasWebAcl"]);
    assert!(condition.contains("WebAclArn") && condition.contains("!Not"), "{condition}");
    let pattern = template["Parameters"]["WebAclArn"]["AllowedPattern"].as_str().expect("pattern");
    assert!(pattern.contains(":wafv2:us-east-1:") && pattern.contains(":global/webacl/"), "{pattern}");
    assert!(text(&edge["Outputs"]["WebAclArn"]["Value"]).contains("WebAcl.Arn"));
}

#[test]
fn i2_with_a_custom_domain_the_execute_api_endpoint_is_disabled_and_cloudfront_reaches_the_api_by_its_domain() {
    let template = template();
    let resources = &template["Resources"];
    let disabled = &resources["HttpApi"]["Properties"]["DisableExecuteApiEndpoint"];
    assert_eq!(disabled, &yaml("!If [HasCustomDomain, true, false]"));
    assert_eq!(text(&api_origin(&template)["DomainName"][1]).trim(), "!Ref ApiDomainName");

    let domain = &resources["ApiDomain"];
    assert_eq!(domain["Type"].as_str(), Some("AWS::ApiGatewayV2::DomainName"));
    assert_eq!(domain["Condition"].as_str(), Some("HasCustomDomain"));
    assert_eq!(text(&domain["Properties"]["DomainName"]).trim(), "!Ref ApiDomainName");
    let configuration = &domain["Properties"]["DomainNameConfigurations"][0];
    assert_eq!(text(&configuration["CertificateArn"]).trim(), "!Ref ApiCertificateArn");
    assert_eq!(configuration["SecurityPolicy"].as_str(), Some("TLS_1_2"));
    let mapping = &resources["ApiMapping"];
    assert_eq!(mapping["Type"].as_str(), Some("AWS::ApiGatewayV2::ApiMapping"));
    assert_eq!(text(&mapping["Properties"]["ApiId"]).trim(), "!Ref HttpApi");
    assert_eq!(text(&mapping["Properties"]["DomainName"]).trim(), "!Ref ApiDomain");

    // The custom domain (or, without one, the execute-api endpoint) is public: CloudFront proves
    // itself with a secret header the functions check (portal_api::lambda), generated by the
    // stack and given to both, whichever the origin.
    let headers = &api_origin(&template)["OriginCustomHeaders"];
    assert!(!matches!(headers, Yaml::Tagged(_)), "the secret goes with or without a custom domain");
    let header = &headers[0];
    assert!(header["HeaderName"].as_str().is_some_and(|h| h.eq_ignore_ascii_case(ORIGIN_SECRET_HEADER)));
    let secret = "!Sub '{{resolve:secretsmanager:${OriginSecret}:SecretString}}'";
    assert_eq!(text(&header["HeaderValue"]).trim(), secret);
    let variables = &template["Globals"]["Function"]["Environment"]["Variables"];
    assert_eq!(text(&variables["CLOUDFRONT_ORIGIN_SECRET"]).trim(), secret);
    assert!(
        resources["OriginSecret"]["Properties"]["GenerateSecretString"]["PasswordLength"]
            .as_u64()
            .is_some_and(|length| length >= 32)
    );

    // Nothing points at the disabled endpoint: only a stage without a custom domain uses it.
    let uses = places(&template, &|node| node.as_str().is_some_and(|s| s.contains("execute-api.")));
    assert!(!uses.is_empty());
    for (path, guards) in uses {
        assert!(guards.iter().any(|g| g == "!HasCustomDomain"), "{path} names execute-api with a custom domain");
    }
}

#[test]
fn a10_every_auth_route_has_a_lower_throttle_of_its_own() {
    let template = template();
    let api = &template["Resources"]["HttpApi"]["Properties"];
    let default_rate = api["DefaultRouteSettings"]["ThrottlingRateLimit"].as_u64().expect("default rate");
    let default_burst = api["DefaultRouteSettings"]["ThrottlingBurstLimit"].as_u64().expect("default burst");
    let settings = api["RouteSettings"].as_mapping().expect("route settings");

    let mut throttled = Vec::new();
    for route in routes::all().filter(|r| r.area == Area::Auth) {
        let key = format!("{} {}", route.method, route.path);
        let setting = &settings.get(key.as_str()).unwrap_or_else(|| panic!("{key} has no route settings"));
        let (rate, _) = parameter_number(&template, &setting["ThrottlingRateLimit"]);
        let (burst, _) = parameter_number(&template, &setting["ThrottlingBurstLimit"]);
        assert!(rate < default_rate && burst < default_burst, "{key}: {rate}/{burst} is not below the default");
        throttled.push(key);
    }
    // A setting for a route the API does not have fails the deploy.
    let keys: Vec<&str> = settings.keys().filter_map(Yaml::as_str).collect();
    assert_eq!(keys, throttled);
}

#[test]
fn s4_cloudfront_answers_api_routes_with_no_store_nosniff_and_a_restrictive_csp() {
    let template = template();
    assert_eq!(text(&api_behaviour(&template)["ResponseHeadersPolicyId"]).trim(), "!Ref ApiSecurityHeaders");
    let policy = &template["Resources"]["ApiSecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"];
    let security = &policy["SecurityHeadersConfig"];
    assert_eq!(security["ContentTypeOptions"]["Override"].as_bool(), Some(true), "nosniff");
    assert_eq!(security["FrameOptions"]["FrameOption"].as_str(), Some("DENY"));
    assert!(security["ReferrerPolicy"]["ReferrerPolicy"].as_str().is_some());
    let hsts = &security["StrictTransportSecurity"];
    assert!(hsts["AccessControlMaxAgeSec"].as_u64().is_some_and(|age| age >= 31_536_000), "HSTS for a year or more");
    let csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"].as_str().expect("csp");
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    let cache = policy["CustomHeadersConfig"]["Items"]
        .as_sequence()
        .expect("custom headers")
        .iter()
        .find(|h| h["Header"].as_str().is_some_and(|h| h.eq_ignore_ascii_case("cache-control")))
        .expect("Cache-Control");
    assert_eq!(cache["Value"].as_str(), Some("no-store"));
    assert_eq!(cache["Override"].as_bool(), Some(true));
    for header in [&security["ContentTypeOptions"], &security["ContentSecurityPolicy"], hsts] {
        assert_eq!(header["Override"].as_bool(), Some(true), "CloudFront sets it whatever the origin answered");
    }
}

#[test]
fn i2_every_function_has_reserved_concurrency_and_the_defaults_fit_a_standard_account() {
    let template = template();
    let global = &template["Globals"]["Function"]["ReservedConcurrentExecutions"];
    let mut reserved = 0;
    for (id, resource) in template["Resources"].as_mapping().expect("resources") {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let own = &resource["Properties"]["ReservedConcurrentExecutions"];
        let setting = if own.is_null() { global } else { own };
        // A parameter with a minimum of 1: no value of it leaves a function unreserved.
        let (default, minimum) = parameter_number(&template, setting);
        assert!(minimum >= 1, "{id:?} can be left without reserved concurrency");
        reserved += default;
    }
    // Lambda keeps 100 of an account's 1,000 concurrent executions unreserved.
    assert!(reserved <= 900, "the defaults reserve {reserved} concurrent executions");
}

#[test]
fn i2_cloudfront_refuses_tls_below_1_2_and_logs_every_request_without_cookies() {
    let template = template();
    let distribution = distribution(&template);
    // With a custom domain (which prod must have: infra/deploy/test_deploy.py); without one the
    // default certificate allows TLS 1.0 (see the test of a stage without a domain).
    let certificate = &distribution["ViewerCertificate"][1];
    assert_eq!(certificate["MinimumProtocolVersion"].as_str(), Some("TLSv1.2_2021"));
    assert_eq!(certificate["SslSupportMethod"].as_str(), Some("sni-only"));
    assert_eq!(text(&certificate["AcmCertificateArn"]).trim(), "!Ref CertificateArn");
    assert!(certificate.get("CloudFrontDefaultCertificate").is_none(), "the default certificate allows TLS 1.0");
    let pattern = template["Parameters"]["CertificateArn"]["AllowedPattern"].as_str().expect("pattern");
    assert!(pattern.contains(":acm:us-east-1:"), "CloudFront takes certificates from us-east-1 only: {pattern}");
    assert_eq!(text(&distribution["Aliases"][1]).trim(), "- !Ref DomainName");

    let logging = &distribution["Logging"];
    assert_eq!(text(&logging["Bucket"]).trim(), "!GetAtt AccessLogsBucket.DomainName");
    assert_eq!(logging["IncludeCookies"].as_bool(), Some(false), "the refresh token is a cookie (S4)");
    let bucket = &template["Resources"]["AccessLogsBucket"]["Properties"];
    // Standard logging writes through an ACL grant: ACLs stay enabled, public ones blocked.
    assert_eq!(bucket["OwnershipControls"]["Rules"][0]["ObjectOwnership"].as_str(), Some("BucketOwnerPreferred"));
    for setting in ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"] {
        assert_eq!(bucket["PublicAccessBlockConfiguration"][setting].as_bool(), Some(true), "{setting}");
    }
    let encryption = &bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0];
    assert_eq!(encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"].as_str(), Some("AES256"));
    let expiry = &bucket["LifecycleConfiguration"]["Rules"][0];
    assert_eq!(text(&expiry["ExpirationInDays"]).trim(), "!Ref LogRetentionDays");
    let statements = &template["Resources"]["AccessLogsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"];
    let refuse =
        statements.as_sequence().expect("statements").iter().find(|s| s["Sid"].as_str() == Some("RefuseNonTls"));
    assert_eq!(refuse.expect("RefuseNonTls")["Condition"]["Bool"]["aws:SecureTransport"].as_str(), Some("false"));
}

/// Where `found` holds in the template's globals, resources and outputs: each place's path, with
/// the conditions it is under (the resource's or output's own `Condition`, then each `!If` it is
/// a branch of: `Cond` in the first branch, `!Cond` in the second).
fn places(template: &Yaml, found: &dyn Fn(&Yaml) -> bool) -> Vec<(String, Vec<String>)> {
    fn walk(
        node: &Yaml,
        path: String,
        guards: &mut Vec<String>,
        found: &dyn Fn(&Yaml) -> bool,
        out: &mut Vec<(String, Vec<String>)>,
    ) {
        if found(node) {
            out.push((path, guards.clone()));
            return;
        }
        match node {
            Yaml::Tagged(tagged) if tagged.tag == "If" => {
                let branches = tagged.value.as_sequence().expect("!If [condition, then, else]");
                let condition = branches[0].as_str().expect("a condition's name");
                for (branch, guard) in [(1, condition.to_owned()), (2, format!("!{condition}"))] {
                    guards.push(guard);
                    walk(&branches[branch], format!("{path}/If[{branch}]"), guards, found, out);
                    guards.pop();
                }
            }
            Yaml::Tagged(tagged) => walk(&tagged.value, format!("{path}/{}", tagged.tag), guards, found, out),
            Yaml::Mapping(mapping) => {
                for (key, value) in mapping {
                    walk(value, format!("{path}/{}", key.as_str().unwrap_or("?")), guards, found, out);
                }
            }
            Yaml::Sequence(items) => {
                for (index, item) in items.iter().enumerate() {
                    walk(item, format!("{path}/{index}"), guards, found, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&template["Globals"], "Globals".to_owned(), &mut Vec::new(), found, &mut out);
    for section in ["Resources", "Outputs"] {
        for (id, item) in template[section].as_mapping().expect(section) {
            let mut guards: Vec<String> = item["Condition"].as_str().map(str::to_owned).into_iter().collect();
            let path = format!("{section}/{}", id.as_str().expect("id"));
            walk(item, path, &mut guards, found, &mut out);
        }
    }
    out
}

/// Whether a node refers to one of `names`: `!Ref name`, `!GetAtt name.…` or `${name}` /
/// `${name.…}` in a `!Sub`.
fn refers_to<'n>(names: &'n [&'n str]) -> impl Fn(&Yaml) -> bool + 'n {
    move |node| {
        let Yaml::Tagged(tagged) = node else { return false };
        let value = tagged.value.as_str().or_else(|| tagged.value[0].as_str()).unwrap_or_default();
        if tagged.tag == "Ref" {
            names.contains(&value)
        } else if tagged.tag == "GetAtt" {
            names.contains(&value.split('.').next().unwrap_or_default())
        } else if tagged.tag == "Sub" {
            names.iter().any(|name| value.contains(&format!("${{{name}}}")) || value.contains(&format!("${{{name}.")))
        } else {
            false
        }
    }
}

#[test]
fn without_a_custom_domain_cloudfront_has_its_default_certificate_no_alias_and_reaches_the_api_at_execute_api() {
    let template = template();
    // No CertificateArn, no custom domain: the parameters that make one may all be empty.
    for name in ["CertificateArn", "DomainName", "ApiDomainName", "ApiCertificateArn"] {
        let parameter = &template["Parameters"][name];
        assert_eq!(parameter["Default"].as_str(), Some(""), "{name}");
        let pattern = parameter["AllowedPattern"].as_str().expect("pattern");
        assert!(pattern.starts_with("^(") && pattern.ends_with(")?$"), "{name}: {pattern} refuses the empty value");
    }
    let conditions = &template["Conditions"];
    assert_eq!(conditions["HasCustomDomain"], yaml("!Not [!Equals [!Ref CertificateArn, '']]"));
    assert_eq!(conditions["HasAddress"], yaml("!Not [!Equals [!Ref DomainName, '']]"));

    // The distribution: no alias, CloudFront's own certificate and host.
    let distribution = distribution(&template);
    assert_eq!(distribution["Aliases"], yaml("!If [HasCustomDomain, [!Ref DomainName], !Ref AWS::NoValue]"));
    assert_eq!(distribution["ViewerCertificate"][0].as_str(), Some("HasCustomDomain"));
    assert_eq!(distribution["ViewerCertificate"][2], yaml("{CloudFrontDefaultCertificate: true}"));
    let url = &template["Outputs"]["FrontendUrl"]["Value"];
    assert_eq!(url[2], yaml("!Sub 'https://${FrontendDistribution.DomainName}'"), "the portal's address");
    // The documents bucket takes uploads from that host from the first pass on (DomainName is
    // still empty then: deploy.py fills it in on the second).
    let origins = &template["Resources"]["DocumentsBucket"]["Properties"]["CorsConfiguration"]["CorsRules"][0];
    assert_eq!(origins["AllowedOrigins"][0][2], yaml("!Sub 'https://${FrontendDistribution.DomainName}'"));

    // The API: its execute-api endpoint stays on and is CloudFront's origin (the origin secret
    // goes with every request: i2_with_a_custom_domain_…).
    let endpoint = "!Sub '${HttpApi}.execute-api.${AWS::Region}.amazonaws.com'";
    assert_eq!(api_origin(&template)["DomainName"][0].as_str(), Some("HasCustomDomain"));
    assert_eq!(api_origin(&template)["DomainName"][2], yaml(endpoint));
    assert_eq!(template["Resources"]["HttpApi"]["Properties"]["DisableExecuteApiEndpoint"][2].as_bool(), Some(false));
    let api_url = &template["Outputs"]["ApiUrl"]["Value"];
    assert_eq!(text(&api_url[2]).trim(), "!Sub https://${HttpApi}.execute-api.${AWS::Region}.amazonaws.com");
}

#[test]
fn every_use_of_the_custom_domain_is_conditional_and_of_domain_name_guarded_until_it_is_known() {
    let template = template();
    // A custom domain is whole or absent (CloudFormation checks the stage's parameters first).
    let whole = &template["Rules"]["CustomDomainIsWhole"];
    assert_eq!(whole["RuleCondition"], template["Conditions"]["HasCustomDomain"]);
    let asserted: Vec<&Yaml> =
        whole["Assertions"].as_sequence().expect("assertions").iter().map(|a| &a["Assert"]).collect();
    for name in ["DomainName", "ApiDomainName", "ApiCertificateArn"] {
        let required = yaml(&format!("!Not [!Equals [!Ref {name}, '']]"));
        assert!(asserted.contains(&&required), "a custom domain without {name}");
    }
    let none = &template["Rules"]["NoApiDomainWithoutCustomDomain"];
    assert_eq!(none["RuleCondition"], yaml("!Equals [!Ref CertificateArn, '']"));

    // The API's domain, its mapping and both alias records exist with a custom domain only.
    let records = &template["Conditions"]["HasDomainRecords"];
    assert_eq!(records, &yaml("!And [!Condition HasHostedZone, !Condition HasCustomDomain]"));
    let resources = &template["Resources"];
    for (id, condition) in [
        ("ApiDomain", "HasCustomDomain"),
        ("ApiMapping", "HasCustomDomain"),
        ("ApiRecord", "HasDomainRecords"),
        ("SiteRecord", "HasDomainRecords"),
    ] {
        assert_eq!(resources[id]["Condition"].as_str(), Some(condition), "{id}");
    }
    let custom = ["HasCustomDomain", "HasDomainRecords"];
    let domain_only = ["CertificateArn", "ApiDomainName", "ApiCertificateArn", "ApiDomain", "ApiMapping"];
    let uses = places(&template, &refers_to(&domain_only));
    assert!(uses.len() >= 6, "{uses:?}");
    for (path, guards) in uses {
        assert!(guards.iter().any(|g| custom.contains(&g.as_str())), "{path} is used without a custom domain");
    }

    // DomainName is empty on the first pass of a stack without a custom domain: wherever an empty
    // host would be refused (an alias, a record, the passkeys' relying party, an origin), it is
    // used only with a custom domain or once it is known (HasAddress). The functions' links may
    // read "https://" for the minutes between the two passes: nothing refuses that, and the
    // second pass sets them.
    let pool = &resources["UserPool"]["Properties"];
    assert_eq!(pool["WebAuthnRelyingPartyID"], yaml("!If [HasAddress, !Ref DomainName, !Ref AWS::NoValue]"));
    let guarded = ["HasCustomDomain", "HasDomainRecords", "HasAddress"];
    let uses = places(&template, &refers_to(&["DomainName"]));
    let mut links = 0;
    for (path, guards) in &uses {
        if guards.iter().any(|g| guarded.contains(&g.as_str())) {
            continue;
        }
        let link = ["/Environment/Variables/SITE_OFFICIAL_URL", "/Environment/Variables/PORTAL_URL"];
        assert!(link.iter().any(|l| path.ends_with(l)), "{path} needs DomainName set (guards: {guards:?})");
        links += 1;
    }
    assert!(links > 0 && uses.len() > links, "{uses:?}");
}

#[test]
fn d1_the_table_keeps_point_in_time_recovery_deletion_protection_and_its_stream() {
    let template = template();
    let table = &template["Resources"]["PortalTable"];
    assert_eq!(table["DeletionPolicy"].as_str(), Some("Retain"), "deleting the stack keeps the table");
    assert_eq!(table["UpdateReplacePolicy"].as_str(), Some("Retain"), "a replacing update keeps the old table");
    let properties = &table["Properties"];
    assert_eq!(properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"].as_bool(), Some(true));
    assert_eq!(properties["DeletionProtectionEnabled"].as_bool(), Some(true));
    // Notify reads new events from the stream; old images let a change be read against its past.
    assert_eq!(properties["StreamSpecification"]["StreamViewType"].as_str(), Some("NEW_AND_OLD_IMAGES"));
}

/// The resources of one type, by logical id.
fn resources_of<'t>(template: &'t Yaml, kind: &str) -> Vec<(&'t str, &'t Yaml)> {
    let resources = template["Resources"].as_mapping().expect("resources");
    resources
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some(kind))
        .map(|(id, r)| (id.as_str().expect("id"), r))
        .collect()
}

#[test]
fn deploy_check_logs_queues_secrets_variables_and_the_table_are_encrypted_with_keys_of_ours() {
    let template = template();
    for (id, group) in resources_of(&template, "AWS::Logs::LogGroup") {
        assert_eq!(text(&group["Properties"]["KmsKeyId"]).trim(), "!GetAtt LogsKey.Arn", "{id}");
    }
    let logs_key = text(&template["Resources"]["LogsKey"]["Properties"]["KeyPolicy"]);
    assert!(logs_key.contains("logs.${AWS::Region}.amazonaws.com") && logs_key.contains(":log-group:*"), "{logs_key}");
    for (id, queue) in resources_of(&template, "AWS::SQS::Queue") {
        assert_eq!(text(&queue["Properties"]["KmsMasterKeyId"]).trim(), "!Ref DeadLettersKey", "{id}");
    }
    // Whoever sends to a dead-letter queue makes a data key with its key.
    for (id, policies) in function_policies(&template) {
        if policies.contains("sqs:SendMessage") {
            assert!(policies.contains("kms:GenerateDataKey") && policies.contains("DeadLettersKey.Arn"), "{id}");
        }
    }
    for (id, secret) in resources_of(&template, "AWS::SecretsManager::Secret") {
        assert_eq!(text(&secret["Properties"]["KmsKeyId"]).trim(), "!Ref ConfigurationKey", "{id}");
    }
    for (id, policies) in function_policies(&template) {
        if policies.contains("secretsmanager:GetSecretValue") {
            assert!(policies.contains("kms:Decrypt") && policies.contains("ConfigurationKey.Arn"), "{id}");
        }
    }
    let globals = &template["Globals"]["Function"];
    assert_eq!(text(&globals["KmsKeyArn"]).trim(), "!GetAtt ConfigurationKey.Arn");
    for (id, function) in resources_of(&template, "AWS::Serverless::Function") {
        assert!(function["Properties"].get("KmsKeyArn").is_none(), "{id} keeps the global key");
    }
    let sse = &template["Resources"]["PortalTable"]["Properties"]["SSESpecification"];
    assert_eq!(text(&sse["KMSMasterKeyId"]).trim(), "!Ref TableKey");
    for (id, key) in resources_of(&template, "AWS::KMS::Key") {
        assert_eq!(key["Properties"]["EnableKeyRotation"].as_bool(), Some(true), "{id} is rotated");
    }
}

/// Each skip of infra/deploy/checkov.yaml rests on a fact of the template; these keep them true.
#[test]
fn deploy_check_skips_rest_on_facts_of_the_template() {
    let template = template();
    // CKV_AWS_116: only functions invoked synchronously go without a failure destination.
    for (id, function) in resources_of(&template, "AWS::Serverless::Function") {
        let properties = &function["Properties"];
        let events: Vec<&str> = properties["Events"]
            .as_mapping()
            .map(|events| events.values().filter_map(|e| e["Type"].as_str()).collect())
            .unwrap_or_default();
        match events.as_slice() {
            ["HttpApi"] => {}
            ["DynamoDB"] => assert!(text(&properties["Events"]).contains("OnFailure"), "{id}"),
            ["S3"] => {
                assert!(text(&properties["EventInvokeConfig"]["DestinationConfig"]).contains("OnFailure"), "{id}")
            }
            // The next run takes what a failed one left due.
            ["ScheduleV2"] => assert_eq!(id, "RemindFunction"),
            other => panic!("{id} is invoked by {other:?}: give it a failure destination or a reason"),
        }
        // CKV_AWS_117: no function is in a VPC (a VPC would need NAT or endpoints for each AWS API).
        assert!(properties.get("VpcConfig").is_none(), "{id}");
    }
    // CKV_AWS_33: only the table's key has a wildcard principal, and only through DynamoDB, for
    // this account.
    for (id, key) in resources_of(&template, "AWS::KMS::Key") {
        for statement in key["Properties"]["KeyPolicy"]["Statement"].as_sequence().expect("statements") {
            if text(&statement["Principal"]).contains("'*'") {
                assert_eq!(id, "TableKey", "{id} has a wildcard principal");
                let condition = text(&statement["Condition"]["StringEquals"]);
                assert!(condition.contains("kms:CallerAccount: !Ref AWS::AccountId"), "{condition}");
                assert!(condition.contains("dynamodb.${AWS::Region}.amazonaws.com"), "{condition}");
            }
        }
    }
    // CKV_AWS_174: checkov fails the certificate's !If unread. With a custom domain it is ours at
    // TLS 1.2; only a stage without one (never prod: infra/deploy/test_deploy.py) has the default.
    let certificate = &distribution(&template)["ViewerCertificate"];
    let own =
        "{AcmCertificateArn: !Ref CertificateArn, SslSupportMethod: sni-only, MinimumProtocolVersion: TLSv1.2_2021}";
    let default = "{CloudFrontDefaultCertificate: true}";
    assert_eq!(certificate, &yaml(&format!("!If [HasCustomDomain, {own}, {default}]")));
    // CKV_AWS_18: every bucket but the access logs' own logs to it.
    for (id, bucket) in resources_of(&template, "AWS::S3::Bucket") {
        let logging = &bucket["Properties"]["LoggingConfiguration"];
        if id == "AccessLogsBucket" {
            assert!(logging.is_null(), "the log bucket does not log into itself");
        } else {
            assert_eq!(text(&logging["DestinationBucketName"]).trim(), "!Ref AccessLogsBucket", "{id}");
        }
    }
}

/// Passkeys in AWS (README "Passkeys in AWS"): user verification required, so that a passkey
/// stands for both factors of an account with MFA; a passkey or the password as the first
/// factor; the app client allowed the choice-based flow that carries the WEB_AUTHN challenge.
/// The pool is never on the Lite plan, which has no passkeys.
#[test]
fn passkeys_in_aws_verify_the_person_count_as_both_factors_and_are_a_first_factor_of_the_pool() {
    let template = template();
    let resources = &template["Resources"];
    let pool = &resources["UserPool"]["Properties"];
    assert_eq!(pool["WebAuthnUserVerification"].as_str(), Some("required"));
    assert_eq!(pool["WebAuthnFactorConfiguration"].as_str(), Some("MULTI_FACTOR_WITH_USER_VERIFICATION"));
    let first_factors = text(&pool["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"]);
    assert!(first_factors.contains("WEB_AUTHN") && first_factors.contains("PASSWORD"), "{first_factors}");
    let tier = text(&pool["UserPoolTier"]);
    assert!(!tier.contains("LITE") && tier.contains("ESSENTIALS"), "{tier}");
    let flows = text(&resources["UserPoolClient"]["Properties"]["ExplicitAuthFlows"]);
    assert!(flows.contains("ALLOW_USER_AUTH"), "{flows}");
}

#[test]
fn a3_cognito_threat_protection_is_enforced_on_the_plus_plan() {
    let template = template();
    let pool = &template["Resources"]["UserPool"]["Properties"];
    assert_eq!(text(&pool["UserPoolAddOns"]["AdvancedSecurityMode"]).trim(), "!Ref ThreatProtection");
    assert_eq!(template["Parameters"]["ThreatProtection"]["Default"].as_str(), Some("ENFORCED"));
    // Threat protection needs the Plus plan; turning it off is the only way back to Essentials.
    let tier = text(&pool["UserPoolTier"]);
    assert!(tier.starts_with("!If") && tier.contains("ThreatProtectionOn") && tier.contains("PLUS"), "{tier}");
    let condition = text(&template["Conditions"]["ThreatProtectionOn"]);
    assert!(condition.contains("ThreatProtection") && condition.contains("OFF"), "{condition}");

    let risk = &template["Resources"]["UserPoolRiskActions"]["Properties"];
    let compromised = &risk["CompromisedCredentialsRiskConfiguration"];
    assert_eq!(compromised["Actions"]["EventAction"].as_str(), Some("BLOCK"), "leaked passwords are refused");
    assert!(text(&compromised["EventFilter"]).contains("SIGN_IN"));
    let takeover = &risk["AccountTakeoverRiskConfiguration"]["Actions"];
    assert_eq!(takeover["HighAction"]["EventAction"].as_str(), Some("BLOCK"));
}

/// Every policy statement of every function, with the function's name (`Notify` for
/// `NotifyFunction`).
fn function_statements(template: &Yaml) -> Vec<(String, Yaml)> {
    let mut statements = Vec::new();
    for (id, resource) in template["Resources"].as_mapping().expect("resources") {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let function = id.as_str().expect("id").strip_suffix("Function").expect("named {f}Function");
        for policy in resource["Properties"]["Policies"].as_sequence().into_iter().flatten() {
            for statement in policy["Statement"].as_sequence().expect("statements") {
                statements.push((function.to_owned(), statement.clone()));
            }
        }
    }
    statements
}

/// Every table statement of every function: (function, actions as text, resource as text,
/// condition).
pub(crate) fn table_statements(template: &Yaml) -> Vec<(String, String, String, Yaml)> {
    function_statements(template)
        .into_iter()
        .filter(|(_, statement)| text(&statement["Action"]).contains("dynamodb:"))
        .map(|(function, statement)| {
            let resource = text(&statement["Resource"]).trim().to_owned();
            (function, text(&statement["Action"]), resource, statement["Condition"].clone())
        })
        .collect()
}

#[test]
fn i2_table_grants_name_the_kinds_of_partition_each_function_touches() {
    use portal_domain::keys;

    let template = template();
    // The partition families of keys.rs, taken from the key functions themselves.
    let families: Vec<String> = [
        keys::user_partition(""),
        keys::application_partition(""),
        keys::audit_partition(""),
        keys::EVENT_PARTITION_PREFIX.to_owned(),
        keys::application_number("").pk,
        keys::decisions_partition(""),
        keys::paper_holder("").pk,
        keys::LIMIT_PARTITION_PREFIX.to_owned(),
        keys::pending_challenge("").pk,
        keys::known_place("", "").pk,
        keys::PAYMENT_PARTITION_PREFIX.to_owned(),
        keys::IDEMPOTENCY_PARTITION_PREFIX.to_owned(),
        keys::SLOT_PARTITION_PREFIX.to_owned(),
        keys::firm_partition(""),
    ]
    .into_iter()
    .map(|prefix| format!("{prefix}*"))
    .collect();

    let mut touching: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (function, _, resource, condition) in table_statements(&template) {
        if resource == "!Sub ${PortalTable.Arn}/index/gsi1" {
            continue; // the officers' queue: index reads, keyed by status
        }
        // The dashboard's local index shares the table's partitions, and their LeadingKeys.
        let on_partitions = ["!GetAtt PortalTable.Arn", "!Sub ${PortalTable.Arn}/index/lsi1"];
        assert!(on_partitions.contains(&resource.as_str()), "{function}: table grants name the table: {resource}");
        let patterns: Vec<String> = condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
            .as_sequence()
            .unwrap_or_else(|| panic!("{function}: a table grant without dynamodb:LeadingKeys"))
            .iter()
            .map(|p| p.as_str().expect("pattern").to_owned())
            .collect();
        for pattern in &patterns {
            assert!(families.contains(pattern), "{function}: {pattern} is no partition of keys.rs");
            touching.entry(pattern.clone()).or_default().push(function.clone());
        }
    }
    let only = |family: &str| touching.get(&format!("{family}*")).cloned().unwrap_or_default();
    // The account functions reach the caller's account partition only, never an application.
    let families_of = |function: &str| -> Vec<&String> {
        touching.iter().filter(|(_, f)| f.iter().any(|f| f == function)).map(|(p, _)| p).collect()
    };
    for function in ["GetMe", "UpdateMe", "Logout", "GetInbox", "ListNotifications"] {
        assert_eq!(families_of(function), ["USER#*"], "{function}");
    }
    // The auth functions also keep the account limits' counters (A7, A10), and the sign-in
    // steps the pending challenges and known places.
    for function in ["Register", "ResetPassword", "ConfirmRegistration"] {
        assert_eq!(families_of(function), ["LIMIT#*", "USER#*"], "{function}");
    }
    for function in ["Login", "AnswerMfa", "CompleteMfaSetup"] {
        assert_eq!(families_of(function), ["CHALLENGE#*", "LIMIT#*", "PLACES#*", "USER#*"], "{function}");
    }
    // Only submission reserves numbers; the owner of a lost authenticator names one of theirs.
    assert_eq!(only("APPNO#"), ["ResetLostAuthenticator", "SubmitApplication"]);
    for (family, functions) in &touching {
        if family == "APPNO#*" {
            assert!(
                functions.iter().all(|f| f == "SubmitApplication" || f == "ResetLostAuthenticator"),
                "{functions:?}"
            );
        }
    }
    assert_eq!(only("IDEMPOTENCY#"), ["StartPayment"], "idempotency keys are the payments'");
    assert_eq!(
        only("PAYMENT#"),
        ["StartPayment", "RefundPayment", "GetReceipt", "GetReceiptPdf", "PaymentWebhook"],
        "payments name their application"
    );
    assert_eq!(only("PAPER#"), ["LinkApplication"], "only linking reads paper applications");
    assert_eq!(
        only("SLOT#"),
        [
            "BookAppointment",
            "RescheduleAppointment",
            "CancelAppointment",
            "PublishAppointmentSlots",
            "CloseAppointmentSlot"
        ],
        "slots are published, closed and counted by bookings"
    );
    assert_eq!(only("STATS#"), ["ListProcessingTimes", "ChangeApplicationStatus"], "decisions and their estimates");
    assert_eq!(
        only("FIRM#"),
        ["CreateFirm", "GetMyFirm", "InviteFirmMember", "JoinFirm", "HandOverClient"],
        "firms are the representatives' area's"
    );
    assert_eq!(
        only("EVENT#"),
        [
            "SubmitApplication",
            "WithdrawApplication",
            "ChangeApplicationStatus",
            "RequestDocuments",
            "ReviewDocument",
            "SendOfficerMessage",
            "AddFee",
            "PaymentWebhook",
            "BookAppointment",
            "RescheduleAppointment",
            "CancelAppointment",
            "RecordAppointmentOutcome",
            "RevokeRepresentative",
            "AcceptInvitation",
            "DeclineInvitation",
            "HandOverClient",
            "Remind"
        ],
        "events are written with the changes applicants hear about"
    );
}

#[test]
fn d1_only_the_functions_that_delete_may_delete_items() {
    // What deletes (`Table::delete` and `WriteOp::Delete` in the domain): a document removed
    // by its applicant, a paper application's holder record once linked, and a notice claim
    // given back when sending failed.
    // The sign-in steps delete the pending challenge they complete (or find stale). Payments
    // give back an idempotency key whose request failed, and end an application's open-payment
    // lock when its checkout is paid or ends. A cancelled, attended or missed booking ends the
    // application's active booking of its service. A representative's grant that ends (revoked,
    // or handed over to another member of their firm) takes their dashboard line of the case
    // with it; joining a firm takes up (deletes) its invitation. A draft its owner deletes goes
    // with its partition and dashboard lines. A session ended goes from the list of sessions; a
    // sign-in that proves the caller again (a password change, new recovery codes, a recovery
    // code) takes up its pending challenge; a recovery code is used up, and a new set (or an
    // authenticator removed, by support or its owner) removes the voided one. A change of
    // sign-in email takes up the record of the change it completes (or the stale one a taken
    // address leaves). A passkey's registration proves the caller again and its sign-in takes up
    // its pending challenge; a passkey removed takes its name with it.
    const DELETING: [&str; 28] = [
        "BeginAuthenticatorChange",
        "BeginPasskeyRegistration",
        "CompletePasskeySignIn",
        "RemovePasskey",
        "BeginEmailChange",
        "CompleteEmailChange",
        "ResetLostAuthenticator",
        "SupportResetAuthenticator",
        "EndThisSession",
        "EndSession",
        "EndOtherSessions",
        "ChangePassword",
        "NewRecoveryCodes",
        "RecoverWithCode",
        "LinkApplication",
        "DeleteDraft",
        "DeleteDocument",
        "Notify",
        "BeginMfaSetup",
        "CompleteMfaSetup",
        "AnswerMfa",
        "StartPayment",
        "PaymentWebhook",
        "CancelAppointment",
        "RecordAppointmentOutcome",
        "RevokeRepresentative",
        "AcceptInvitation",
        "JoinFirm",
    ];
    let template = template();
    let statements = table_statements(&template);
    let mut deleting: Vec<&str> = statements
        .iter()
        .filter(|(_, actions, _, _)| actions.contains("dynamodb:DeleteItem"))
        .map(|s| s.0.as_str())
        .collect();
    deleting.sort_unstable();
    let mut expected = DELETING.to_vec();
    expected.sort_unstable();
    assert_eq!(deleting, expected);
    for (function, actions, _, _) in &statements {
        assert!(!actions.contains("dynamodb:BatchWriteItem"), "{function}: batch writes can delete");
    }
}

/// The `name = "..."` values of a manifest's `[package]` and `[[bin]]` sections.
fn manifest_names(manifest: &str) -> (Option<String>, Vec<String>) {
    let (mut package, mut bins, mut section) = (None, Vec::new(), "");
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line;
        } else if let Some(name) = line.strip_prefix("name = ").map(|n| n.trim_matches('"').to_owned()) {
            match section {
                "[package]" => package = Some(name),
                "[[bin]]" => bins.push(name),
                _ => {}
            }
        }
    }
    (package, bins)
}

/// The Makefile's `lambda` target builds `portal-<dir>` for each directory of `functions/`: that
/// is every binary the template deploys exactly when each one is such a crate's own binary.
#[test]
fn every_binary_of_the_template_is_the_binary_of_its_own_function_crate() {
    let template = template();
    let deployed: std::collections::BTreeSet<String> = template["Resources"]
        .as_mapping()
        .expect("resources")
        .values()
        .filter(|r| r["Type"].as_str() == Some("AWS::Serverless::Function"))
        .map(binary)
        .collect();
    let functions = concat!(env!("CARGO_MANIFEST_DIR"), "/../functions");
    let mut crates = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(functions).expect("functions/") {
        let dir = entry.expect("entry").path();
        let Ok(manifest) = std::fs::read_to_string(dir.join("Cargo.toml")) else { continue };
        let name = dir.file_name().and_then(|n| n.to_str()).expect("utf-8").to_owned();
        let (package, bins) = manifest_names(&manifest);
        assert_eq!(package, Some(format!("portal-{name}")), "functions/{name} is not the crate portal-{name}");
        assert_eq!(bins, std::slice::from_ref(&name), "functions/{name} does not build the one binary {name}");
        crates.insert(name);
    }
    assert_eq!(deployed, crates, "the template deploys exactly the binaries of functions/");
}

#[test]
fn every_area_has_its_figures_on_the_dashboard_and_alarms_on_its_5xx_rate_and_p99_latency() {
    let template = template();
    let resources = &template["Resources"];
    let globals = &template["Globals"]["Function"];
    assert_eq!(text(&globals["Tracing"]).trim(), "!Ref FunctionTracing", "tracing is a parameter");
    let tracing = text(&template["Parameters"]["FunctionTracing"]["AllowedValues"]);
    assert!(tracing.contains("Active") && tracing.contains("PassThrough"), "{tracing}");
    let namespace = text(&globals["Environment"]["Variables"]["METRICS_NAMESPACE"]);
    assert!(namespace.contains("${AWS::StackName}"), "one namespace per stack: {namespace}");

    let dashboard = text(&resources["OperationsDashboard"]["Properties"]["DashboardBody"]);
    for metric in ["ReadThrottleEvents", "WriteThrottleEvents", "${PortalTable}", "IteratorAge", "NotifyDeadLetters"] {
        assert!(dashboard.contains(metric), "the dashboard shows {metric}");
    }
    // The functions that serve no route write the same metric lines (portal_api::metrics::Figures),
    // with the same alarms besides those of their queues and the stream.
    let invoked = [metrics::NOTIFY, metrics::SCAN, metrics::REMIND].map(|invoked| invoked.area);
    let alarms: Vec<&Yaml> =
        resources_of(&template, "AWS::CloudWatch::Alarm").into_iter().map(|(_, r)| &r["Properties"]).collect();
    for name in Area::ALL.iter().map(|area| area.binary()).chain(invoked) {
        for metric in ["Requests", "Errors", "Latency"] {
            assert!(dashboard.contains(&format!(r#""{metric}","Area","{name}""#)), "{name}: {metric} on the dashboard");
        }
        let of_area = |alarm: &&&Yaml| text(alarm).contains(&format!("Value: {name}\n"));
        let rate = alarms
            .iter()
            .filter(of_area)
            .find(|a| text(&a["Metrics"]).contains("100 * errors / requests"))
            .unwrap_or_else(|| panic!("{name}: no error rate alarm"));
        assert_eq!(text(&rate["Threshold"]).trim(), "!Ref ErrorRateAlarmPercent");
        let latency = alarms
            .iter()
            .filter(of_area)
            .find(|a| a["MetricName"].as_str() == Some("Latency"))
            .unwrap_or_else(|| panic!("{name}: no latency alarm"));
        assert_eq!(latency["ExtendedStatistic"].as_str(), Some("p99"));
        for alarm in [rate, latency] {
            assert_eq!(text(&alarm["AlarmActions"]).trim(), "- !Ref OperationsAlerts", "{name}");
        }
    }
}
