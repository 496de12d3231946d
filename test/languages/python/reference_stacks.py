"""The reference stacks, as a Python user writes them (test/languages/typescript/reference-app.ts is the
TypeScript original; each template must equal its counterpart's)."""
from aws_cdk import App, Environment, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks as eks
from aws_cdk import aws_eks_v2 as eksv2
from aws_cdk import aws_iam as iam
from cdk_eks_fargate_profile import FargateProfile, FargateProfileSelector

ENV = Environment(account="123456789012", region="us-east-1")


def reference_stacks(app: App) -> list[Stack]:
    # Imports from both EKS modules.
    imports = Stack(app, "ImportedClusters", env=ENV)
    v2 = eksv2.Cluster.from_cluster_attributes(imports, "V2", cluster_name="demo-cluster")
    FargateProfile(imports, "OnV2", cluster=v2, selectors=[FargateProfileSelector(namespace="default")])
    v1 = eks.Cluster.from_cluster_attributes(imports, "V1", cluster_name="legacy-cluster")
    FargateProfile(imports, "OnV1", cluster=v1, selectors=[FargateProfileSelector(namespace="legacy")])

    # A CfnCluster defined in the stack.
    cfn = Stack(app, "CfnClusterProfile", env=ENV)
    cluster = eks.CfnCluster(
        cfn, "Cluster",
        name="cfn-cluster",
        role_arn="arn:aws:iam::123456789012:role/cluster-role",
        resources_vpc_config=eks.CfnCluster.ResourcesVpcConfigProperty(
            subnet_ids=["subnet-0priv000000000001", "subnet-0priv000000000002"],
        ),
    )
    FargateProfile(
        cfn, "Profile",
        cluster=cluster,
        selectors=[FargateProfileSelector(
            namespace="apps", labels={"app.kubernetes.io/part-of": "shop", "tier": "web"},
        )],
    )

    # The user's own pod execution role.
    own = Stack(app, "OwnPodExecutionRole", env=ENV)
    role = iam.Role(
        own, "PodRole",
        assumed_by=iam.ServicePrincipal("eks-fargate-pods.amazonaws.com"),
        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("AmazonEKSFargatePodExecutionRolePolicy")],
    )
    FargateProfile(
        own, "Profile",
        cluster=eksv2.Cluster.from_cluster_attributes(own, "Cluster", cluster_name="demo-cluster"),
        selectors=[FargateProfileSelector(namespace="batch-*")],
        pod_execution_role=role,
    )

    # A name and tags.
    tagged = Stack(app, "TaggedProfile", env=ENV)
    FargateProfile(
        tagged, "Profile",
        cluster=eksv2.Cluster.from_cluster_attributes(tagged, "Cluster", cluster_name="demo-cluster"),
        fargate_profile_name="web",
        selectors=[
            FargateProfileSelector(namespace="web"),
            FargateProfileSelector(namespace="web-canary", labels={"track": "canary"}),
        ],
        tags={"cost-center": "platform", "team": "web"},
    )

    # A subnet selection on a VPC defined in the stack.
    subnets = Stack(app, "SubnetSelection", env=ENV)
    vpc = ec2.Vpc(subnets, "Vpc", availability_zones=["us-east-1a", "us-east-1b"], nat_gateways=1)
    FargateProfile(
        subnets, "Profile",
        cluster=eksv2.Cluster.from_cluster_attributes(subnets, "Cluster", cluster_name="demo-cluster", vpc=vpc),
        selectors=[FargateProfileSelector(namespace="jobs")],
        vpc=vpc,
        subnet_selection=ec2.SubnetSelection(
            subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, availability_zones=["us-east-1a"],
        ),
    )

    return [imports, cfn, own, tagged, subnets]
