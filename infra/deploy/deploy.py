"""`make deploy` and `make undeploy`: one stage of the portal to (or off) the AWS account of the
environment's credentials, with no prompt.

    deploy.py deploy STAGE     build, deploy the stack (and the edge stack when the stage has a
                               WAF), publish the web app, invalidate CloudFront, smoke check
                               (a stage without a custom domain: twice on its first deploy)
    deploy.py undeploy STAGE   delete the stacks; say what is kept and why

A stage is infra/stages/STAGE/samconfig.toml: the stack's name, region and parameters (what sam
deploy reads) and a [portal] table of this script's own (waf, edge_stack_name). Nothing is built
or installed before the stage is found whole and the credentials are found: without them the
script stops at once.

A custom domain is optional: a stage without a CertificateArn has none, and the portal's host
(DomainName) is then its distribution's dxxxx.cloudfront.net, which exists only once the stack
does (the distribution's origin is the API, whose functions and user pool need the host: a
cycle within one deploy). So the script passes the stack's current DistributionDomain, and on a
stack's first deploy, which has none yet, passes it empty and deploys a second time with the
host the first pass made (portal_host, second_pass).

The AWS and SAM command-line tools come from PyPI into .venv-aws on first use (infra/deploy/
aws-requirements.txt), apart from this venv: their pins and checkov's do not agree.
"""

import json
import os
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STAGES = ROOT / "infra" / "stages"
AWS_VENV = ROOT / ".venv-aws"
# cargo-lambda writes each binary's bootstrap to target/lambda/{binary}/, the directory that
# every function of the binary's area names as its CodeUri: sam zips and uploads it once.
LAMBDA_DIR = ROOT / "target" / "lambda"
# What the stack keeps when it is deleted (DeletionPolicy: Retain), and why.
KEPT = [
    ("PortalTable", "the table: every account, application, message and audit record (deletion protection on)"),
    ("TableKey", "the table's key: without it the table and its backups cannot be read"),
    ("UserPool", "the user pool: everyone's sign-in and second factor (deletion protection on)"),
    ("DocumentsBucket", "the documents bucket: applicants' uploaded documents, all their versions"),
    ("DocumentsKey", "the documents' key: without it no document can be read"),
    ("AccessLogsBucket", "the access logs: who reached what, kept for LogRetentionDays"),
]


class Stop(Exception):
    """A reason to stop, for the operator: printed without a traceback."""


def stage_config(stage):
    """The stage's samconfig.toml: its path and what it holds."""
    path = STAGES / stage / "samconfig.toml"
    if not path.is_file():
        known = sorted(p.name for p in STAGES.iterdir() if (p / "samconfig.toml").is_file())
        raise Stop(f"no stage {stage!r}: the stages are {', '.join(known)} (infra/stages/*/samconfig.toml)")
    with path.open("rb") as f:
        config = tomllib.load(f)
    return path, config


def stack_of(config):
    """The stage's stack name and region."""
    settings = config["default"]["deploy"]["parameters"]
    return settings["stack_name"], settings["region"]


def parameters(config):
    """The stage's parameter overrides, as a mapping (values with spaces are quoted there)."""
    overrides = config["default"]["deploy"]["parameters"]["parameter_overrides"]
    return {key: value.strip('"') for key, value in (item.split("=", 1) for item in overrides)}


# What a custom domain needs beside its CertificateArn (template.yaml's CustomDomainIsWhole rule).
DOMAIN_PARAMETERS = ("DomainName", "ApiDomainName", "ApiCertificateArn")


def check_domain(stage, overrides):
    """Stop unless the stage's custom domain is all there (a CertificateArn with the portal's and
    the API's names and the API's certificate) or not there at all, before anything is built.
    Without one, DomainName stays empty in the stage: it is the distribution's host, which only
    this script knows (portal_host)."""
    present = [name for name in DOMAIN_PARAMETERS if overrides.get(name)]
    if overrides.get("CertificateArn"):
        missing = [name for name in DOMAIN_PARAMETERS if name not in present]
        if missing:
            raise Stop(
                f"stage {stage}: a CertificateArn gives it a custom domain, which needs {', '.join(missing)} "
                "too. Nothing was built or changed."
            )
    elif present:
        raise Stop(
            f"stage {stage}: without a CertificateArn it has no custom domain, so {', '.join(present)} "
            "must stay empty (its DomainName is the distribution's cloudfront.net host, which deploy.py "
            "passes). Nothing was built or changed."
        )


def portal_host(overrides, outputs):
    """The DomainName a pass of `sam deploy` gives the stack. A stage with a custom domain (a
    CertificateArn) names it; one without has its distribution's host, which the stack's outputs
    hold once it has a distribution (outputs: {} before the stack's first deploy, hence empty)."""
    if overrides.get("CertificateArn"):
        return overrides.get("DomainName", "")
    return outputs.get("DistributionDomain", "")


def second_pass(overrides, outputs):
    """The overrides of one more `sam deploy` when the pass just made (overrides) gave the stack
    another DomainName than its portal's host (outputs: the stack's, read after that pass): the
    first deploy of a stage without a custom domain, whose host exists only now. None otherwise."""
    host = portal_host(overrides, outputs)
    if host == overrides.get("DomainName", ""):
        return None
    return dict(overrides, DomainName=host)


def overrides_argument(overrides):
    """sam's --parameter-overrides: one string of Key="value" pairs (values may hold spaces)."""
    return " ".join(f'{key}="{value}"' for key, value in overrides.items())


def require_credentials(region):
    """The caller's account, or Stop when the environment holds no usable AWS credentials."""
    import boto3
    import botocore.exceptions

    session = boto3.Session()
    if session.get_credentials() is None:
        raise Stop(
            "no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(and AWS_SESSION_TOKEN), for the account to deploy to. Nothing was built or changed."
        )
    try:
        return session.client("sts", region_name=region).get_caller_identity()["Account"]
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
        raise Stop(f"the AWS credentials were refused ({error}). Nothing was built or changed.") from None


def run(*command, check=True, **kwargs):
    print("+", " ".join(str(c) for c in command), flush=True)
    return subprocess.run([str(c) for c in command], check=check, cwd=ROOT, **kwargs)


def aws_tools():
    """The aws and sam commands of .venv-aws, installed on first use."""
    requirements = ROOT / "infra" / "deploy" / "aws-requirements.txt"
    marker = AWS_VENV / ".installed"
    if not marker.exists() or marker.stat().st_mtime < requirements.stat().st_mtime:
        run(sys.executable, "-m", "venv", AWS_VENV)
        run(AWS_VENV / "bin" / "pip", "install", "--quiet", "--disable-pip-version-check", "-r", requirements)
        marker.touch()
    return AWS_VENV / "bin" / "aws", AWS_VENV / "bin" / "sam"


def stack_outputs(aws, stack, region, missing_ok=False):
    """The stack's outputs; {} when missing_ok and the stack does not exist yet."""
    described = run(
        aws, "cloudformation", "describe-stacks", "--stack-name", stack, "--region", region, "--output", "json",
        capture_output=True, text=True, check=False,
    )
    if described.returncode != 0:
        if missing_ok and "does not exist" in described.stderr:
            return {}
        print(described.stderr, file=sys.stderr, end="")
        raise subprocess.CalledProcessError(described.returncode, described.args)
    outputs = json.loads(described.stdout)["Stacks"][0].get("Outputs", [])
    return {o["OutputKey"]: o["OutputValue"] for o in outputs}


def build():
    """Each area's arm64 bootstrap, once (cargo-lambda from the emulator venv brings zig)."""
    run("make", "venv")
    run(ROOT / ".venv" / "bin" / "pip", "install", "--quiet", "--disable-pip-version-check", "cargo-lambda")
    crates = sorted(f"portal-{p.parent.name}" for p in (ROOT / "functions").glob("*/Cargo.toml"))
    env = dict(os.environ, PATH=f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}")
    packages = [arg for crate in crates for arg in ("-p", crate)]
    run("cargo", "lambda", "build", "--release", "--arm64", "--lambda-dir", LAMBDA_DIR, *packages, env=env)
    run("make", "frontend")


def smoke_check(url, attempts=30, pause=10):
    """/api/health and /api/openapi.json answer 200 through CloudFront (a new distribution or
    DNS name may take minutes to answer)."""
    for path in ("/api/health", "/api/openapi.json"):
        for attempt in range(attempts):
            try:
                with urllib.request.urlopen(url + path, timeout=10) as response:
                    json.load(response)
                    print(f"smoke check: {path} answered {response.status}")
                    break
            except (OSError, ValueError) as error:
                if attempt == attempts - 1:
                    raise Stop(f"smoke check: {url}{path} did not answer ({error})") from None
                time.sleep(pause)


def deploy(stage):
    path, config = stage_config(stage)
    stack, region = stack_of(config)
    overrides = parameters(config)
    check_domain(stage, overrides)
    account = require_credentials(region)
    print(f"deploying stage {stage} ({stack}, {region}) to account {account}")
    aws, sam = aws_tools()
    build()
    portal = config.get("portal", {})
    if portal.get("waf"):
        edge = portal["edge_stack_name"]
        # WAF's logs are kept as long as the stage's own (the edge template's default otherwise).
        retention = overrides.get("LogRetentionDays")
        edge_parameters = ["--parameter-overrides", f"LogRetentionDays={retention}"] if retention else []
        run(aws, "cloudformation", "deploy", "--region", "us-east-1", "--stack-name", edge,
            "--template-file", "infra/edge.yaml", "--no-fail-on-empty-changeset", *edge_parameters)
        overrides["WebAclArn"] = stack_outputs(aws, edge, "us-east-1")["WebAclArn"]
    # Without a custom domain the portal's host is the distribution's: the stack's current one
    # (empty before the stack exists, and then a second pass once the distribution does).
    overrides["DomainName"] = portal_host(overrides, stack_outputs(aws, stack, region, missing_ok=True))
    # On the command line the overrides replace the file's, so the file's go again with the ACL.
    run(sam, "deploy", "--config-file", path, "--template-file", "template.yaml",
        "--parameter-overrides", overrides_argument(overrides))
    outputs = stack_outputs(aws, stack, region)
    again = second_pass(overrides, outputs)
    if again is not None:
        print(f"second pass: the portal's host is {again['DomainName']} (the passkeys' relying party and "
              "the address pages and emails give)")
        run(sam, "deploy", "--config-file", path, "--template-file", "template.yaml",
            "--parameter-overrides", overrides_argument(again))
        outputs = stack_outputs(aws, stack, region)
    run(aws, "s3", "sync", "frontend/dist", f"s3://{outputs['FrontendBucket']}", "--delete", "--region", region)
    run(aws, "cloudfront", "create-invalidation", "--distribution-id", outputs["DistributionId"], "--paths", "/*")
    smoke_check(outputs["FrontendUrl"])
    print(f"the portal is at {outputs['FrontendUrl']}")


def undeploy(stage):
    _, config = stage_config(stage)
    stack, region = stack_of(config)
    require_credentials(region)
    aws, sam = aws_tools()
    # The web app's bucket is the stack's to delete, and CloudFormation deletes only empty
    # buckets: every version of the app goes first (it is rebuilt from the repository).
    import boto3

    bucket = stack_outputs(aws, stack, region)["FrontendBucket"]
    boto3.resource("s3", region_name=region).Bucket(bucket).object_versions.delete()
    run(sam, "delete", "--stack-name", stack, "--region", region, "--no-prompts")
    portal = config.get("portal", {})
    if portal.get("waf"):
        run(aws, "cloudformation", "delete-stack", "--region", "us-east-1", "--stack-name", portal["edge_stack_name"])
    print(f"stack {stack} deleted. Kept, because a deleted stack must never take applicants' data with it:")
    for resource, why in KEPT:
        print(f"  {resource}: {why}")
    print("Delete them by hand only once the agency's retention schedule allows (README: Runbook).")


def main(argv):
    commands = {"deploy": deploy, "undeploy": undeploy}
    if len(argv) != 2 or argv[0] not in commands:
        print("usage: deploy.py deploy|undeploy STAGE", file=sys.stderr)
        return 2
    try:
        commands[argv[0]](argv[1])
    except Stop as stop:
        print(f"{argv[0]}: {stop}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as failed:
        print(f"{argv[0]}: {failed.cmd[0]} failed (exit {failed.returncode}); see above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
