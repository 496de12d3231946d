// The reference stacks, as a Go user writes them (test/languages/typescript/reference-app.ts is the
// TypeScript original; each template must equal its counterpart's).
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseks"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseksv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
	"github.com/example/cdk-eks-fargate-profile-go/cdkeksfargateprofile"
)

var env = &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("us-east-1")}

func newStack(app awscdk.App, name string) awscdk.Stack {
	return awscdk.NewStack(app, jsii.String(name), &awscdk.StackProps{Env: env})
}

func importV2(stack awscdk.Stack, vpc awsec2.IVpc) awseksv2.ICluster {
	return awseksv2.Cluster_FromClusterAttributes(stack, jsii.String("Cluster"), &awseksv2.ClusterAttributes{
		ClusterName: jsii.String("demo-cluster"),
		Vpc:         vpc,
	})
}

func selector(namespace string) *cdkeksfargateprofile.FargateProfileSelector {
	return &cdkeksfargateprofile.FargateProfileSelector{Namespace: jsii.String(namespace)}
}

// ReferenceStacks defines the reference stacks in app.
func ReferenceStacks(app awscdk.App) []awscdk.Stack {
	// Imports from both EKS modules.
	imports := newStack(app, "ImportedClusters")
	v2 := awseksv2.Cluster_FromClusterAttributes(imports, jsii.String("V2"), &awseksv2.ClusterAttributes{
		ClusterName: jsii.String("demo-cluster"),
	})
	cdkeksfargateprofile.NewFargateProfile(imports, jsii.String("OnV2"), &cdkeksfargateprofile.FargateProfileProps{
		Cluster:   v2,
		Selectors: &[]*cdkeksfargateprofile.FargateProfileSelector{selector("default")},
	})
	v1 := awseks.Cluster_FromClusterAttributes(imports, jsii.String("V1"), &awseks.ClusterAttributes{
		ClusterName: jsii.String("legacy-cluster"),
	})
	cdkeksfargateprofile.NewFargateProfile(imports, jsii.String("OnV1"), &cdkeksfargateprofile.FargateProfileProps{
		Cluster:   v1,
		Selectors: &[]*cdkeksfargateprofile.FargateProfileSelector{selector("legacy")},
	})

	// A CfnCluster defined in the stack.
	cfn := newStack(app, "CfnClusterProfile")
	cluster := awseks.NewCfnCluster(cfn, jsii.String("Cluster"), &awseks.CfnClusterProps{
		Name:    jsii.String("cfn-cluster"),
		RoleArn: jsii.String("arn:aws:iam::123456789012:role/cluster-role"),
		ResourcesVpcConfig: &awseks.CfnCluster_ResourcesVpcConfigProperty{
			SubnetIds: jsii.Strings("subnet-0priv000000000001", "subnet-0priv000000000002"),
		},
	})
	cdkeksfargateprofile.NewFargateProfile(cfn, jsii.String("Profile"), &cdkeksfargateprofile.FargateProfileProps{
		Cluster: cluster,
		Selectors: &[]*cdkeksfargateprofile.FargateProfileSelector{{
			Namespace: jsii.String("apps"),
			Labels:    &map[string]*string{"app.kubernetes.io/part-of": jsii.String("shop"), "tier": jsii.String("web")},
		}},
	})

	// The user's own pod execution role.
	own := newStack(app, "OwnPodExecutionRole")
	role := awsiam.NewRole(own, jsii.String("PodRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("eks-fargate-pods.amazonaws.com"), nil),
		ManagedPolicies: &[]awsiam.IManagedPolicy{
			awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("AmazonEKSFargatePodExecutionRolePolicy")),
		},
	})
	cdkeksfargateprofile.NewFargateProfile(own, jsii.String("Profile"), &cdkeksfargateprofile.FargateProfileProps{
		Cluster:          importV2(own, nil),
		Selectors:        &[]*cdkeksfargateprofile.FargateProfileSelector{selector("batch-*")},
		PodExecutionRole: role,
	})

	// A name and tags.
	tagged := newStack(app, "TaggedProfile")
	cdkeksfargateprofile.NewFargateProfile(tagged, jsii.String("Profile"), &cdkeksfargateprofile.FargateProfileProps{
		Cluster:            importV2(tagged, nil),
		FargateProfileName: jsii.String("web"),
		Selectors: &[]*cdkeksfargateprofile.FargateProfileSelector{
			selector("web"),
			{Namespace: jsii.String("web-canary"), Labels: &map[string]*string{"track": jsii.String("canary")}},
		},
		Tags: &map[string]*string{"cost-center": jsii.String("platform"), "team": jsii.String("web")},
	})

	// A subnet selection on a VPC defined in the stack.
	subnets := newStack(app, "SubnetSelection")
	vpc := awsec2.NewVpc(subnets, jsii.String("Vpc"), &awsec2.VpcProps{
		AvailabilityZones: jsii.Strings("us-east-1a", "us-east-1b"),
		NatGateways:       jsii.Number(1),
	})
	cdkeksfargateprofile.NewFargateProfile(subnets, jsii.String("Profile"), &cdkeksfargateprofile.FargateProfileProps{
		Cluster:   importV2(subnets, vpc),
		Selectors: &[]*cdkeksfargateprofile.FargateProfileSelector{selector("jobs")},
		Vpc:       vpc,
		SubnetSelection: &awsec2.SubnetSelection{
			SubnetType:        awsec2.SubnetType_PRIVATE_WITH_EGRESS,
			AvailabilityZones: jsii.Strings("us-east-1a"),
		},
	})

	return []awscdk.Stack{imports, cfn, own, tagged, subnets}
}

func main() {
	app := awscdk.NewApp(nil)
	ReferenceStacks(app)
	app.Synth(nil)
}
