//! Test harness for the AWS adapters: the moto emulator, and resources created from the same
//! definitions `template.yaml` deploys (never a hand-copied schema).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;

use anyhow::{Context, Result, anyhow, bail};
use aws_config::{BehaviorVersion, Region};
use aws_sdk_dynamodb::config::Credentials;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, LocalSecondaryIndex, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType,
};
use serde_yaml::Value;

/// Environment variable naming an emulator already running (set by `infra/emulator/with-moto`).
pub const ENDPOINT_VARIABLE: &str = "PORTAL_MOTO_ENDPOINT";

/// The project's root folder.
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A moto server this process started; it exits when its standard input closes.
struct OwnEmulator {
    _stdin: ChildStdin,
    _child: Child,
    endpoint: String,
}

fn start_own_emulator() -> Result<OwnEmulator> {
    let root = project_root();
    let python = root.join(".venv/bin/python");
    let mut child = Command::new(&python)
        .arg(root.join("infra/emulator/moto_server.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting moto with {} (run `make venv` first)", python.display()))?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow!("moto has no stdout"))?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let port = line.trim().strip_prefix("MOTO_PORT=").ok_or_else(|| anyhow!("moto said {line:?}"))?;
    let stdin = child.stdin.take().ok_or_else(|| anyhow!("moto has no stdin"))?;
    Ok(OwnEmulator { endpoint: format!("http://127.0.0.1:{port}"), _stdin: stdin, _child: child })
}

/// The emulator's endpoint: the one the test command started, or one started for this process.
pub fn endpoint() -> Result<String> {
    if let Ok(endpoint) = std::env::var(ENDPOINT_VARIABLE) {
        return Ok(endpoint);
    }
    static OWN: OnceLock<std::result::Result<OwnEmulator, String>> = OnceLock::new();
    match OWN.get_or_init(|| start_own_emulator().map_err(|e| format!("{e:#}"))) {
        Ok(own) => Ok(own.endpoint.clone()),
        Err(message) => bail!("{message}"),
    }
}

/// SDK configuration pointing at the emulator, with throwaway credentials.
pub async fn sdk_config() -> Result<aws_config::SdkConfig> {
    Ok(aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint()?)
        .region(Region::new("ca-central-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
        .load()
        .await)
}

/// A fresh table name, unique in this emulator.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{prefix}-{}-{n}", std::process::id())
}

/// A fresh bucket in the emulator: a path-style S3 client, its name, and the URL browsers post
/// uploads to (the emulator's, not the bucket's regional endpoint).
pub async fn s3_bucket(config: &aws_config::SdkConfig, prefix: &str) -> Result<(aws_sdk_s3::Client, String, String)> {
    let client =
        aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(config).force_path_style(true).build());
    let bucket = unique_name(prefix).to_lowercase();
    let location = aws_sdk_s3::types::CreateBucketConfiguration::builder()
        .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::CaCentral1)
        .build();
    client.create_bucket().bucket(&bucket).create_bucket_configuration(location).send().await?;
    let upload_url = format!("{}/{bucket}", endpoint()?);
    Ok((client, bucket, upload_url))
}

/// The template's resource of the given CloudFormation type (there must be exactly one).
fn template_resource(template: &Value, resource_type: &str) -> Result<Value> {
    let resources = template.get("Resources").and_then(Value::as_mapping).context("template has no Resources")?;
    let mut found = resources.values().filter(|r| r.get("Type").and_then(Value::as_str) == Some(resource_type));
    let resource = found.next().with_context(|| format!("template has no {resource_type}"))?;
    if found.next().is_some() {
        bail!("template has more than one {resource_type}");
    }
    resource.get("Properties").cloned().context("resource has no Properties")
}

/// Reads `template.yaml` (CloudFormation tags such as `!Ref` are kept as tagged values).
pub fn read_template() -> Result<Value> {
    let path = project_root().join("template.yaml");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    serde_yaml::from_str(&text).context("parsing template.yaml")
}

fn text<'a>(value: &'a Value, field: &str) -> Result<&'a str> {
    value.get(field).and_then(Value::as_str).with_context(|| format!("missing {field}"))
}

fn key_schema(value: &Value) -> Result<Vec<KeySchemaElement>> {
    let elements = value.get("KeySchema").and_then(Value::as_sequence).context("missing KeySchema")?;
    elements
        .iter()
        .map(|element| {
            Ok(KeySchemaElement::builder()
                .attribute_name(text(element, "AttributeName")?)
                .key_type(KeyType::from(text(element, "KeyType")?))
                .build()?)
        })
        .collect()
}

/// Creates `table_name` in the emulator from the template's `AWS::DynamoDB::Table` definition:
/// attributes, key schema, secondary indexes, billing mode and stream.
pub async fn create_table_from_template(client: &aws_sdk_dynamodb::Client, table_name: &str) -> Result<()> {
    let table = template_resource(&read_template()?, "AWS::DynamoDB::Table")?;
    let mut request = client.create_table().table_name(table_name).set_key_schema(Some(key_schema(&table)?));
    for attribute in
        table.get("AttributeDefinitions").and_then(Value::as_sequence).context("no AttributeDefinitions")?
    {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(text(attribute, "AttributeName")?)
                .attribute_type(ScalarAttributeType::from(text(attribute, "AttributeType")?))
                .build()?,
        );
    }
    let indexes = |kind: &str| table.get(kind).and_then(Value::as_sequence).into_iter().flatten();
    let projection = |index: &Value| -> Result<Projection> {
        let projection = index.get("Projection").context("index has no Projection")?;
        Ok(Projection::builder().projection_type(ProjectionType::from(text(projection, "ProjectionType")?)).build())
    };
    for index in indexes("GlobalSecondaryIndexes") {
        request = request.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(text(index, "IndexName")?)
                .set_key_schema(Some(key_schema(index)?))
                .projection(projection(index)?)
                .build()?,
        );
    }
    for index in indexes("LocalSecondaryIndexes") {
        request = request.local_secondary_indexes(
            LocalSecondaryIndex::builder()
                .index_name(text(index, "IndexName")?)
                .set_key_schema(Some(key_schema(index)?))
                .projection(projection(index)?)
                .build()?,
        );
    }
    if let Some(billing) = table.get("BillingMode").and_then(Value::as_str) {
        request = request.billing_mode(BillingMode::from(billing));
    }
    if let Some(stream) = table.get("StreamSpecification") {
        request = request.stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::from(text(stream, "StreamViewType")?))
                .build()?,
        );
    }
    request.send().await.context("creating the table in the emulator")?;
    Ok(())
}

/// A user pool and app client created in the emulator from the template's `AWS::Cognito::UserPool`,
/// `AWS::Cognito::UserPoolClient` and `AWS::Cognito::UserPoolGroup`s (MFA setting, sign-in
/// attribute, password length, auth flows, client secret, groups).
#[derive(Debug)]
pub struct EmulatedUserPool {
    /// Pool id.
    pub user_pool_id: String,
    /// App client id.
    pub client_id: String,
    /// App client secret.
    pub client_secret: String,
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value.and_then(Value::as_sequence).into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect()
}

/// Creates the template's user pool and app client in the emulator.
pub async fn create_user_pool_from_template(
    client: &aws_sdk_cognitoidentityprovider::Client,
) -> Result<EmulatedUserPool> {
    use aws_sdk_cognitoidentityprovider::types::{
        ExplicitAuthFlowsType, PasswordPolicyType, SoftwareTokenMfaConfigType, UserPoolMfaType, UserPoolPolicyType,
        UsernameAttributeType,
    };
    let template = read_template()?;
    let pool = template_resource(&template, "AWS::Cognito::UserPool")?;
    let app = template_resource(&template, "AWS::Cognito::UserPoolClient")?;
    let policy = &pool["Policies"]["PasswordPolicy"];
    let minimum = policy["MinimumLength"].as_i64().context("MinimumLength")?;
    let created = client
        .create_user_pool()
        .pool_name(unique_name("pool"))
        .set_username_attributes(Some(
            strings(pool.get("UsernameAttributes")).iter().map(|a| UsernameAttributeType::from(a.as_str())).collect(),
        ))
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(PasswordPolicyType::builder().minimum_length(i32::try_from(minimum)?).build())
                .build(),
        )
        .send()
        .await
        .context("creating the user pool")?;
    let user_pool_id = created.user_pool().and_then(|p| p.id()).context("pool id")?.to_owned();
    let mfa = pool["MfaConfiguration"].as_str().context("MfaConfiguration")?;
    client
        .set_user_pool_mfa_config()
        .user_pool_id(&user_pool_id)
        .mfa_configuration(UserPoolMfaType::from(mfa))
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder()
                .enabled(strings(pool.get("EnabledMfas")).iter().any(|m| m == "SOFTWARE_TOKEN_MFA"))
                .build(),
        )
        .send()
        .await
        .context("setting MFA")?;
    let app_client = client
        .create_user_pool_client()
        .user_pool_id(&user_pool_id)
        .client_name(unique_name("client"))
        .generate_secret(app["GenerateSecret"].as_bool().unwrap_or(false))
        .set_explicit_auth_flows(Some(
            strings(app.get("ExplicitAuthFlows")).iter().map(|f| ExplicitAuthFlowsType::from(f.as_str())).collect(),
        ))
        .send()
        .await
        .context("creating the app client")?;
    let app_client = app_client.user_pool_client().context("client")?;
    let resources = template.get("Resources").and_then(Value::as_mapping).context("template has no Resources")?;
    let groups =
        resources.values().filter(|r| r.get("Type").and_then(Value::as_str) == Some("AWS::Cognito::UserPoolGroup"));
    for group in groups {
        let name = group["Properties"]["GroupName"].as_str().context("GroupName")?;
        client.create_group().user_pool_id(&user_pool_id).group_name(name).send().await.context("creating a group")?;
    }
    Ok(EmulatedUserPool {
        user_pool_id,
        client_id: app_client.client_id().context("client id")?.to_owned(),
        client_secret: app_client.client_secret().context("client secret")?.to_owned(),
    })
}
