//! What `template.yaml` promises about documents (U5) and least privilege: checked on the
//! template itself, since no AWS account is at hand to deploy it (cfn-lint checks its syntax).

use serde_yaml::Value as Yaml;

fn template() -> Yaml {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).expect("template")).expect("yaml")
}

/// A resource's YAML as text (intrinsic functions such as `!GetAtt` included), for searching.
fn text(value: &Yaml) -> String {
    serde_yaml::to_string(value).expect("yaml")
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
    assert!(text(&cors["AllowedOrigins"]).contains("FrontendOrigin"), "one origin, the frontend's");
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
        let wildcard_action =
            policy.lines().map(str::trim).any(|l| l.starts_with("- ") && l.ends_with('*') && !l.contains('/'));
        assert!(!wildcard_action, "{function}: a wildcard action");
        assert!(!policy.contains("dynamodb:Scan"), "{function}: table scans");
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
        let binary = resource["Metadata"]["BuildProperties"]["Binary"].as_str().expect("binary").to_owned();
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
    assert!(text(&api_origin["DomainName"]).contains("HttpApi"), "/api/* goes to the HTTP API");
    assert_eq!(api["CachePolicyId"].as_str(), Some("4135ea2d-6df8-44a3-9df3-4b5a84be39ad"), "CachingDisabled");
    assert!(distribution.get("CustomErrorResponses").is_none(), "the API's errors reach the browser unchanged");
    let app_origin = origins.iter().find(|o| o["Id"] == distribution["DefaultCacheBehavior"]["TargetOriginId"]);
    assert!(text(&app_origin.expect("app origin")["OriginAccessControlId"]).contains("FrontendOriginAccess"));
    let bucket = &resources["FrontendBucket"]["Properties"]["PublicAccessBlockConfiguration"];
    assert_eq!(bucket["RestrictPublicBuckets"].as_bool(), Some(true), "the app is only reached through CloudFront");
    let headers = text(&resources["FrontendSecurityHeaders"]["Properties"]);
    assert!(headers.contains("StrictTransportSecurity") && headers.contains("default-src 'self'"));
}
