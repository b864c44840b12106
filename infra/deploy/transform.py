"""The SAM template as plain CloudFormation, offline: what CloudFormation's
AWS::Serverless-2016-10-31 transform would make of it, for cfn-lint to check.

Usage: transform.py TEMPLATE OUTPUT.json

Each function's code (a cargo-lambda output directory, which `sam deploy` uploads) becomes a
placeholder S3 location named for its binary, as the transform needs code already uploaded.
No AWS call is made: the template names no managed policy, so the policy loader has nothing to
look up, and the pseudo parameters are those of a placeholder account in ca-central-1.
"""

import json
import os
import sys

# The translator asks a boto3 session for the region even when it is given one.
os.environ["AWS_DEFAULT_REGION"] = "ca-central-1"

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

PSEUDO_PARAMETERS = {
    "AWS::AccountId": "123456789012",
    "AWS::Partition": "aws",
    "AWS::Region": "ca-central-1",
    "AWS::StackName": "portal-check",
    "AWS::StackId": "arn:aws:cloudformation:ca-central-1:123456789012:stack/portal-check/0",
    "AWS::URLSuffix": "amazonaws.com",
}


class NoManagedPolicies:
    """The managed-policy loader the translator asks when a function names a policy by name."""

    def load(self):
        return {}


def placeholder_code(template):
    for name, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        code = resource["Properties"]["CodeUri"]
        binary = code.removeprefix("target/lambda/").rstrip("/")
        if "/" in binary or binary == code:
            sys.exit(f"{name}: CodeUri {code!r} is not target/lambda/<binary>/")
        resource["Properties"]["CodeUri"] = f"s3://placeholder-artifacts/{binary}.zip"


def main():
    source, output = sys.argv[1:]
    with open(source, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    placeholder_code(template)
    transformed = transform(template, dict(PSEUDO_PARAMETERS), NoManagedPolicies())
    with open(output, "w", encoding="utf-8") as f:
        json.dump(transformed, f, indent=1, sort_keys=True)
    resources = transformed["Resources"]
    print(f"{source}: transformed into {len(resources)} CloudFormation resources ({output})")


if __name__ == "__main__":
    main()
