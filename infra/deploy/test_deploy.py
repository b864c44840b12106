"""Tests of deploy.py and the stages, run by `make deploy-check` (no AWS account needed)."""

import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import deploy
from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parents[2]


def template_parameters():
    with open(ROOT / "template.yaml", encoding="utf-8") as f:
        return yaml_parse(f.read())["Parameters"]


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

    def test_overrides_keep_values_with_spaces_and_apostrophes_whole(self):
        given = deploy.parameters(deploy.stage_config("prod")[1])
        self.assertEqual(given["AgencyNameFr"], "Agence d'immigration exemple")
        argument = deploy.overrides_argument({"AgencyNameEn": "Example Agency", "HostedZoneId": ""})
        self.assertEqual(argument, 'AgencyNameEn="Example Agency" HostedZoneId=""')

    def test_an_unknown_stage_names_the_known_ones(self):
        with self.assertRaises(deploy.Stop) as stop:
            deploy.stage_config("staging")
        self.assertIn("dev, prod", str(stop.exception))


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
