// The Go app against the TypeScript reference (REFERENCE_DIR, written by test/languages/run.ts).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseksv2"
	"github.com/aws/jsii-runtime-go"
	"github.com/example/cdk-eks-fargate-profile-go/cdkeksfargateprofile"
)

func referencePath(name string) string {
	return filepath.Join(os.Getenv("REFERENCE_DIR"), name)
}

func readJSON(t *testing.T, name string) interface{} {
	t.Helper()
	data, err := os.ReadFile(referencePath(name))
	if err != nil {
		t.Fatal(err)
	}
	var value interface{}
	if err := json.Unmarshal(data, &value); err != nil {
		t.Fatal(err)
	}
	return value
}

func expected(t *testing.T, key string) string {
	return readJSON(t, "expected.json").(map[string]interface{})[key].(string)
}

// Through encoding/json, so that both sides hold the same Go types (float64 numbers).
func normalize(t *testing.T, value interface{}) interface{} {
	t.Helper()
	data, err := json.Marshal(value)
	if err != nil {
		t.Fatal(err)
	}
	var out interface{}
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTemplatesEqualTheTypeScriptReference(t *testing.T) {
	stacks := ReferenceStacks(awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)}))
	files, err := filepath.Glob(referencePath("*.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	var references, names []string
	for _, file := range files {
		references = append(references, strings.TrimSuffix(filepath.Base(file), ".template.json"))
	}
	for _, stack := range stacks {
		names = append(names, *stack.StackName())
	}
	sort.Strings(references)
	sort.Strings(names)
	if !reflect.DeepEqual(references, names) {
		t.Fatalf("stacks %v, TypeScript reference stacks %v", names, references)
	}
	for _, stack := range stacks {
		stack := stack
		t.Run(*stack.StackName(), func(t *testing.T) {
			actual := normalize(t, assertions.Template_FromStack(stack, nil).ToJSON())
			if want := readJSON(t, *stack.StackName()+".template.json"); !reflect.DeepEqual(want, actual) {
				data, _ := json.MarshalIndent(actual, "", "  ")
				t.Fatalf("differs from the TypeScript template:\n%s", data)
			}
		})
	}
}

// The panic jsii raises for a JavaScript error, as text: the library's message on the first line.
func panicMessage(t *testing.T, define func()) (message string) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("expected a panic")
		}
		err, ok := r.(error)
		if !ok {
			t.Fatalf("expected an error, got %T: %v", r, r)
		}
		message = strings.SplitN(err.Error(), "\n", 2)[0]
	}()
	define()
	return ""
}

func mistakes() awscdk.Stack {
	return awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Mistakes"), nil)
}

func demoCluster(stack awscdk.Stack) awseksv2.ICluster {
	return awseksv2.Cluster_FromClusterAttributes(stack, jsii.String("Cluster"), &awseksv2.ClusterAttributes{ClusterName: jsii.String("demo-cluster")})
}

func TestABadNamespacePanicsWithTheLibraryMessage(t *testing.T) {
	stack := mistakes()
	message := panicMessage(t, func() {
		cdkeksfargateprofile.NewFargateProfile(stack, jsii.String("BadNamespace"), &cdkeksfargateprofile.FargateProfileProps{
			Cluster:   demoCluster(stack),
			Selectors: &[]*cdkeksfargateprofile.FargateProfileSelector{selector("Prod_Apps")},
		})
	})
	if want := expected(t, "badNamespace"); message != want || !strings.HasPrefix(message, "Mistakes/BadNamespace: ") {
		t.Fatalf("panic %q, want %q", message, want)
	}
}

func TestSixSelectorsPanicWithTheLibraryMessage(t *testing.T) {
	stack := mistakes()
	six := []*cdkeksfargateprofile.FargateProfileSelector{}
	for _, namespace := range []string{"a", "b", "c", "d", "e", "f"} {
		six = append(six, selector(namespace))
	}
	message := panicMessage(t, func() {
		cdkeksfargateprofile.NewFargateProfile(stack, jsii.String("SixSelectors"), &cdkeksfargateprofile.FargateProfileProps{
			Cluster:   demoCluster(stack),
			Selectors: &six,
		})
	})
	if want := expected(t, "sixSelectors"); message != want || !strings.HasPrefix(message, "Mistakes/SixSelectors: ") {
		t.Fatalf("panic %q, want %q", message, want)
	}
}

func TestProfileForGivesTheTypeScriptAnswer(t *testing.T) {
	profile := cdkeksfargateprofile.FargateScheduling_ProfileFor(
		&cdkeksfargateprofile.FargatePod{Namespace: jsii.String("prod-api"), Labels: &map[string]*string{"tier": jsii.String("web")}},
		&[]*cdkeksfargateprofile.FargateProfileSelection{
			{FargateProfileName: jsii.String("web"), Selectors: &[]*cdkeksfargateprofile.FargateProfileSelector{
				{Namespace: jsii.String("prod-*"), Labels: &map[string]*string{"tier": jsii.String("web")}},
			}},
			{FargateProfileName: jsii.String("all-prod"), Selectors: &[]*cdkeksfargateprofile.FargateProfileSelector{selector("prod-*")}},
		},
	)
	if profile == nil || *profile != expected(t, "profileFor") || *profile != "all-prod" {
		t.Fatalf("profileFor = %v, want %q", fmt.Sprint(profile), expected(t, "profileFor"))
	}
	if label := *cdkeksfargateprofile.FargateScheduling_PROFILE_LABEL(); label != "eks.amazonaws.com/fargate-profile" {
		t.Fatalf("PROFILE_LABEL = %q", label)
	}
}

func TestReadmeGoSnippetSynthesizesAProfile(t *testing.T) {
	// The README's Go block, as written (test/languages/readme-snippets.test.ts keeps it in sync).
	// README:begin
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("MyStack"), nil)
	cluster := awseksv2.Cluster_FromClusterAttributes(stack, jsii.String("Cluster"), &awseksv2.ClusterAttributes{
		ClusterName: jsii.String("my-cluster"),
	})
	cdkeksfargateprofile.NewFargateProfile(stack, jsii.String("Apps"), &cdkeksfargateprofile.FargateProfileProps{
		Cluster: cluster,
		Selectors: &[]*cdkeksfargateprofile.FargateProfileSelector{
			{Namespace: jsii.String("apps")},
		},
	})
	// README:end
	template := assertions.Template_FromStack(stack, nil)
	template.ResourceCountIs(jsii.String("Custom::EKSFargateProfile"), jsii.Number(1))
	template.HasResourceProperties(jsii.String("Custom::EKSFargateProfile"), &map[string]interface{}{"ClusterName": "my-cluster"})
}
