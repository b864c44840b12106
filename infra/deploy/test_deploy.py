"""Tests of deploy.py and the stages, run by `make deploy-check` (no AWS account needed)."""

import os
import re
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import deploy
from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parents[2]


def template():
    with open(ROOT / "template.yaml", encoding="utf-8") as f:
        return yaml_parse(f.read())


def template_parameters():
    return template()["Parameters"]


class Stages(unittest.TestCase):
    def stages(self):
        return {stage: deploy.stage_config(stage)[1] for stage in ("dev", "prod")}

    def test_dev_and_prod_differ_only_by_parameter_values(self):
        dev, prod = self.stages().values()
        self.assertEqual(deploy.parameters(dev).keys(), deploy.parameters(prod).keys())
        self.assertEqual(dev.keys(), prod.keys())
        for section in ("default", "portal"):
            shape = lambda config: {k: type(v) for k, v in config[section].items()}  # noqa: E731
            self.assertEqual(shape(dev), shape(prod), section)
        dev_settings, prod_settings = (c["default"]["deploy"]["parameters"] for c in (dev, prod))
        self.assertEqual(dev_settings.keys(), prod_settings.keys())
        self.assertNotEqual(dev_settings["stack_name"], prod_settings["stack_name"])
        self.assertTrue(prod["portal"]["waf"], "production is behind the WAF")

    def test_every_stage_sets_each_parameter_the_template_needs_and_nothing_it_lacks(self):
        declared = template_parameters()
        required = {name for name, p in declared.items() if "Default" not in p and name != "WebAclArn"}
        for stage, config in self.stages().items():
            given = deploy.parameters(config)
            self.assertLessEqual(required, given.keys(), stage)
            self.assertLessEqual(given.keys(), declared.keys(), stage)
            self.assertNotIn("WebAclArn", given, f"{stage}: the edge stack's output, set by deploy.py")

    def test_every_value_of_a_stage_matches_its_parameters_pattern(self):
        declared = template_parameters()
        for stage, config in self.stages().items():
            for name, value in deploy.parameters(config).items():
                pattern = declared[name].get("AllowedPattern")
                if pattern is not None:
                    self.assertRegex(value, re.compile(pattern), f"{stage}: {name}")

    def test_each_stage_has_a_whole_custom_domain_or_none(self):
        for stage, config in self.stages().items():
            deploy.check_domain(stage, deploy.parameters(config))
        dev, prod = (deploy.parameters(config) for config in self.stages().values())
        domain = [dev[name] for name in ("CertificateArn", *deploy.DOMAIN_PARAMETERS)]
        self.assertEqual(domain, ["", "", "", ""], "dev has no custom domain, only its cloudfront.net host")
        half = dict(prod, ApiCertificateArn="")
        with self.assertRaises(deploy.Stop) as stop:
            deploy.check_domain("prod", half)
        self.assertIn("needs ApiCertificateArn", str(stop.exception))
        stray = dict(dev, DomainName="portal.dev.example.ca")
        with self.assertRaises(deploy.Stop) as stop:
            deploy.check_domain("dev", stray)
        self.assertIn("DomainName must stay empty", str(stop.exception))

    def test_prod_has_its_own_certificate_so_cloudfront_refuses_tls_below_1_2_on_its_domain(self):
        prod = deploy.parameters(deploy.stage_config("prod")[1])
        for name in ("CertificateArn", *deploy.DOMAIN_PARAMETERS):
            self.assertTrue(prod[name], f"prod sets {name}")
        self.assertIn(":acm:us-east-1:", prod["CertificateArn"], "CloudFront takes certificates there only")
        # With one, the template's custom-domain branches hold: our certificate at TLS 1.2 and
        # the domain as the distribution's alias (what CKV_AWS_174's skip rests on).
        config = template()["Resources"]["FrontendDistribution"]["Properties"]["DistributionConfig"]
        condition, own, default = config["ViewerCertificate"]["Fn::If"]
        self.assertEqual(condition, "HasCustomDomain")
        self.assertEqual(own["AcmCertificateArn"], {"Ref": "CertificateArn"})
        self.assertEqual(own["MinimumProtocolVersion"], "TLSv1.2_2021")
        self.assertEqual(default, {"CloudFrontDefaultCertificate": True})
        self.assertEqual(config["Aliases"]["Fn::If"][:2], ["HasCustomDomain", [{"Ref": "DomainName"}]])
        self.assertEqual(template()["Conditions"]["HasCustomDomain"],
                         {"Fn::Not": [{"Fn::Equals": [{"Ref": "CertificateArn"}, ""]}]})

    def test_overrides_keep_values_with_spaces_and_apostrophes_whole(self):
        given = deploy.parameters(deploy.stage_config("prod")[1])
        self.assertEqual(given["AgencyNameFr"], "Agence d'immigration exemple")
        argument = deploy.overrides_argument({"AgencyNameEn": "Example Agency", "HostedZoneId": ""})
        self.assertEqual(argument, 'AgencyNameEn="Example Agency" HostedZoneId=""')

    def test_an_unknown_stage_names_the_known_ones(self):
        with self.assertRaises(deploy.Stop) as stop:
            deploy.stage_config("staging")
        self.assertIn("dev, prod", str(stop.exception))


class PortalHost(unittest.TestCase):
    """Without a custom domain, the portal's host is its distribution's: a second pass on a
    stack's first deploy, none after (no AWS call: the stack's outputs are given)."""

    NO_DOMAIN = {"DomainName": "", "CertificateArn": "", "ApiDomainName": "", "ApiCertificateArn": ""}
    OWN_DOMAIN = {
        "DomainName": "portal.example.ca",
        "CertificateArn": "arn:aws:acm:us-east-1:111111111111:certificate/0",
        "ApiDomainName": "api.portal.example.ca",
        "ApiCertificateArn": "arn:aws:acm:ca-central-1:111111111111:certificate/1",
    }
    MADE = {"DistributionDomain": "d111111abcdef8.cloudfront.net", "FrontendBucket": "bucket"}

    def test_a_first_deploy_without_a_domain_passes_it_empty_then_again_with_the_distributions_host(self):
        first = dict(self.NO_DOMAIN, DomainName=deploy.portal_host(self.NO_DOMAIN, {}))
        self.assertEqual(first["DomainName"], "", "no stack, no distribution yet")
        again = deploy.second_pass(first, self.MADE)
        self.assertEqual(again, dict(self.NO_DOMAIN, DomainName="d111111abcdef8.cloudfront.net"))
        self.assertIsNone(deploy.second_pass(again, self.MADE), "one extra pass, no more")

    def test_a_later_deploy_without_a_domain_passes_the_stacks_host_from_the_start(self):
        given = dict(self.NO_DOMAIN, DomainName=deploy.portal_host(self.NO_DOMAIN, self.MADE))
        self.assertEqual(given["DomainName"], "d111111abcdef8.cloudfront.net")
        self.assertIsNone(deploy.second_pass(given, self.MADE))
        # A replaced distribution has a new host: one more pass gives it.
        moved = {"DistributionDomain": "d222222abcdef8.cloudfront.net"}
        self.assertEqual(deploy.second_pass(given, moved)["DomainName"], "d222222abcdef8.cloudfront.net")

    def test_a_stage_with_its_own_domain_deploys_once_under_it(self):
        self.assertEqual(deploy.portal_host(self.OWN_DOMAIN, {}), "portal.example.ca")
        self.assertEqual(deploy.portal_host(self.OWN_DOMAIN, self.MADE), "portal.example.ca")
        self.assertIsNone(deploy.second_pass(self.OWN_DOMAIN, self.MADE))


class NoCredentials(unittest.TestCase):
    def test_make_deploy_without_credentials_stops_at_once_having_built_nothing(self):
        with tempfile.TemporaryDirectory() as empty:
            env = {
                "PATH": os.environ["PATH"],
                "HOME": empty,
                "AWS_CONFIG_FILE": os.path.join(empty, "config"),
                "AWS_SHARED_CREDENTIALS_FILE": os.path.join(empty, "credentials"),
                # No instance role to find either (this is not an EC2 instance).
                "AWS_EC2_METADATA_DISABLED": "true",
            }
            for command in ("deploy", "undeploy"):
                done = subprocess.run(
                    [sys.executable, str(ROOT / "infra" / "deploy" / "deploy.py"), command, "dev"],
                    env=env, capture_output=True, text=True, timeout=60,
                )
                self.assertEqual(done.returncode, 1, done.stderr)
                self.assertIn("no AWS credentials", done.stderr)
                self.assertIn("Nothing was built or changed", done.stderr)
                self.assertNotIn("+ ", done.stdout, "no command ran before the check")


class Undeploy(unittest.TestCase):
    def test_what_undeploy_keeps_is_what_the_template_retains(self):
        with open(ROOT / "template.yaml", encoding="utf-8") as f:
            resources = yaml_parse(f.read())["Resources"]
        retained = {name for name, r in resources.items() if r.get("DeletionPolicy") == "Retain"}
        self.assertEqual({name for name, _ in deploy.KEPT}, retained)


if __name__ == "__main__":
    unittest.main()
