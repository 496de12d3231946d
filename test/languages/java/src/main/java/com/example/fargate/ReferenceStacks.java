package com.example.fargate;

import io.github.cdkeksfargateprofile.FargateProfile;
import io.github.cdkeksfargateprofile.FargateProfileSelector;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.eks.CfnCluster;
import software.amazon.awscdk.services.eks.ClusterAttributes;
import software.amazon.awscdk.services.eks_v2.Cluster;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;

/**
 * The reference stacks, as a Java user writes them (test/languages/typescript/reference-app.ts is the
 * TypeScript original; each template must equal its counterpart's).
 */
public final class ReferenceStacks {
    static final Environment ENV = Environment.builder().account("123456789012").region("us-east-1").build();

    private ReferenceStacks() {
    }

    private static Stack stack(App app, String name) {
        return new Stack(app, name, StackProps.builder().env(ENV).build());
    }

    public static List<Stack> define(App app) {
        // Imports from both EKS modules.
        Stack imports = stack(app, "ImportedClusters");
        var v2 = Cluster.fromClusterAttributes(imports, "V2",
                software.amazon.awscdk.services.eks_v2.ClusterAttributes.builder().clusterName("demo-cluster").build());
        FargateProfile.Builder.create(imports, "OnV2")
                .cluster(v2)
                .selectors(List.of(FargateProfileSelector.builder().namespace("default").build()))
                .build();
        var v1 = software.amazon.awscdk.services.eks.Cluster.fromClusterAttributes(imports, "V1",
                ClusterAttributes.builder().clusterName("legacy-cluster").build());
        FargateProfile.Builder.create(imports, "OnV1")
                .cluster(v1)
                .selectors(List.of(FargateProfileSelector.builder().namespace("legacy").build()))
                .build();

        // A CfnCluster defined in the stack.
        Stack cfn = stack(app, "CfnClusterProfile");
        CfnCluster cluster = CfnCluster.Builder.create(cfn, "Cluster")
                .name("cfn-cluster")
                .roleArn("arn:aws:iam::123456789012:role/cluster-role")
                .resourcesVpcConfig(CfnCluster.ResourcesVpcConfigProperty.builder()
                        .subnetIds(List.of("subnet-0priv000000000001", "subnet-0priv000000000002"))
                        .build())
                .build();
        FargateProfile.Builder.create(cfn, "Profile")
                .cluster(cluster)
                .selectors(List.of(FargateProfileSelector.builder()
                        .namespace("apps")
                        .labels(Map.of("app.kubernetes.io/part-of", "shop", "tier", "web"))
                        .build()))
                .build();

        // The user's own pod execution role.
        Stack own = stack(app, "OwnPodExecutionRole");
        Role role = Role.Builder.create(own, "PodRole")
                .assumedBy(new ServicePrincipal("eks-fargate-pods.amazonaws.com"))
                .managedPolicies(List.of(ManagedPolicy.fromAwsManagedPolicyName("AmazonEKSFargatePodExecutionRolePolicy")))
                .build();
        FargateProfile.Builder.create(own, "Profile")
                .cluster(importV2(own, null))
                .selectors(List.of(FargateProfileSelector.builder().namespace("batch-*").build()))
                .podExecutionRole(role)
                .build();

        // A name and tags.
        Stack tagged = stack(app, "TaggedProfile");
        FargateProfile.Builder.create(tagged, "Profile")
                .cluster(importV2(tagged, null))
                .fargateProfileName("web")
                .selectors(List.of(
                        FargateProfileSelector.builder().namespace("web").build(),
                        FargateProfileSelector.builder().namespace("web-canary").labels(Map.of("track", "canary")).build()))
                .tags(Map.of("cost-center", "platform", "team", "web"))
                .build();

        // A subnet selection on a VPC defined in the stack.
        Stack subnets = stack(app, "SubnetSelection");
        Vpc vpc = Vpc.Builder.create(subnets, "Vpc")
                .availabilityZones(List.of("us-east-1a", "us-east-1b"))
                .natGateways(1)
                .build();
        FargateProfile.Builder.create(subnets, "Profile")
                .cluster(importV2(subnets, vpc))
                .selectors(List.of(FargateProfileSelector.builder().namespace("jobs").build()))
                .vpc(vpc)
                .subnetSelection(SubnetSelection.builder()
                        .subnetType(SubnetType.PRIVATE_WITH_EGRESS)
                        .availabilityZones(List.of("us-east-1a"))
                        .build())
                .build();

        return List.of(imports, cfn, own, tagged, subnets);
    }

    private static software.amazon.awscdk.services.eks_v2.ICluster importV2(Stack stack, Vpc vpc) {
        return Cluster.fromClusterAttributes(stack, "Cluster",
                software.amazon.awscdk.services.eks_v2.ClusterAttributes.builder().clusterName("demo-cluster").vpc(vpc).build());
    }
}
