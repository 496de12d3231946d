"""The Python app against the TypeScript reference (REFERENCE_DIR, written by test/languages/run.ts)."""
import json
import os
from pathlib import Path

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_eks_v2 as eksv2
from aws_cdk.assertions import Template
from cdk_eks_fargate_profile import (
    FargatePod,
    FargateProfile,
    FargateProfileSelection,
    FargateProfileSelector,
    FargateScheduling,
)

from reference_stacks import reference_stacks

REFERENCE = Path(os.environ["REFERENCE_DIR"])
EXPECTED = json.loads((REFERENCE / "expected.json").read_text())
STACKS = {stack.stack_name: stack for stack in reference_stacks(App(analytics_reporting=False))}


def test_every_reference_stack_is_synthesized():
    references = sorted(p.name.removesuffix(".template.json") for p in REFERENCE.glob("*.template.json"))
    assert sorted(STACKS) == references


@pytest.mark.parametrize("name", sorted(STACKS))
def test_template_equals_the_typescript_reference(name):
    expected = json.loads((REFERENCE / f"{name}.template.json").read_text())
    assert Template.from_stack(STACKS[name]).to_json() == expected


def cluster(stack):
    return eksv2.Cluster.from_cluster_attributes(stack, "Cluster", cluster_name="demo-cluster")


def test_a_bad_namespace_raises_the_library_message():
    stack = Stack(App(), "Mistakes")
    with pytest.raises(RuntimeError) as raised:
        FargateProfile(stack, "BadNamespace", cluster=cluster(stack), selectors=[FargateProfileSelector(namespace="Prod_Apps")])
    assert str(raised.value) == EXPECTED["badNamespace"]
    assert "Mistakes/BadNamespace" in str(raised.value)


def test_six_selectors_raise_the_library_message():
    stack = Stack(App(), "Mistakes")
    with pytest.raises(RuntimeError) as raised:
        FargateProfile(
            stack, "SixSelectors",
            cluster=cluster(stack),
            selectors=[FargateProfileSelector(namespace=ns) for ns in ["a", "b", "c", "d", "e", "f"]],
        )
    assert str(raised.value) == EXPECTED["sixSelectors"]
    assert "Mistakes/SixSelectors" in str(raised.value)


def test_profile_for_gives_the_typescript_answer():
    profile = FargateScheduling.profile_for(
        FargatePod(namespace="prod-api", labels={"tier": "web"}),
        [
            FargateProfileSelection(fargate_profile_name="web", selectors=[FargateProfileSelector(namespace="prod-*", labels={"tier": "web"})]),
            FargateProfileSelection(fargate_profile_name="all-prod", selectors=[FargateProfileSelector(namespace="prod-*")]),
        ],
    )
    assert profile == EXPECTED["profileFor"] == "all-prod"
    assert FargateScheduling.PROFILE_LABEL == "eks.amazonaws.com/fargate-profile"


def test_readme_python_snippet_synthesizes_a_profile():
    # The README's Python block, run as written (test/languages/readme-snippets.test.ts keeps it in sync).
    # README:begin
    from aws_cdk import App, Stack
    from aws_cdk import aws_eks_v2 as eks
    from cdk_eks_fargate_profile import FargateProfile, FargateProfileSelector

    app = App()
    stack = Stack(app, "MyStack")
    cluster = eks.Cluster.from_cluster_attributes(stack, "Cluster", cluster_name="my-cluster")
    FargateProfile(stack, "Apps", cluster=cluster, selectors=[FargateProfileSelector(namespace="apps")])
    # README:end
    template = Template.from_stack(stack)
    template.resource_count_is("Custom::EKSFargateProfile", 1)
    template.has_resource_properties("Custom::EKSFargateProfile", {"ClusterName": "my-cluster"})
