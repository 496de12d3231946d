import { awscdk, DependencyType, javascript } from 'projen';

// Lowest aws-cdk-lib we support (peer range floor). Tests run against the
// latest release; CI also runs the suite against this floor. 2.240.0 is the first
// release with aws-eks-v2 (stable); it also has what the rest needs: both ICluster
// interfaces and CfnCluster implement IClusterRef (since 2.236.0), and Lambda's
// NODEJS_24_X runtime.
const minCdkVersion = '2.240.0';
const testCdkVersion = '2.276.0';
// Bundled into the handler, so its behaviour never depends on the Lambda runtime's SDK.
const eksSdkVersion = '3.1169.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-eks-fargate-profile',
  description: 'An AWS CDK L2 construct for Amazon EKS Fargate profiles: synth-time validation, imported clusters, in-place tag updates, and a handler that waits out the service\'s one-at-a-time rules.',
  author: 'cdk-eks-fargate-profile maintainers',
  authorAddress: 'maintainers@example.com',
  repositoryUrl: 'https://github.com/example/cdk-eks-fargate-profile.git',
  keywords: ['cdk', 'aws-cdk', 'eks', 'fargate', 'kubernetes', 'fargate-profile'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  jsiiVersion: '~6.0.0',
  // jsii targets: the public API is plain classes/interfaces (no unions, no TS-only types),
  // so every jsii language gets a package (`npx projen package-all`; `build` packages npm only).
  publishToPypi: { distName: 'cdk-eks-fargate-profile', module: 'cdk_eks_fargate_profile' },
  publishToMaven: {
    javaPackage: 'io.github.cdkeksfargateprofile',
    mavenGroupId: 'io.github.cdkeksfargateprofile',
    mavenArtifactId: 'cdk-eks-fargate-profile',
  },
  publishToNuget: { dotNetNamespace: 'CdkEksFargateProfile', packageId: 'CdkEksFargateProfile' },
  publishToGo: { moduleName: 'github.com/example/cdk-eks-fargate-profile-go' },
  cdkVersion: minCdkVersion,
  cdkCliVersion: '^2',
  peerDependencyOptions: { pinnedDevDependency: false },
  devDeps: [
    `aws-cdk-lib@${testCdkVersion}`,
    `@aws-sdk/client-eks@${eksSdkVersion}`,
    '@aws-cdk/lambda-layer-kubectl-v32',
    '@types/aws-lambda',
    'aws-sdk-client-mock',
    'cdk-nag@^3',
    // Control Tower's proactive controls as cfn-guard rules, with the cfn-guard binary (test/security/compliance.test.ts).
    '@cdklabs/cdk-validator-cfnguard@0.0.62',
    'esbuild',
    'aws-cdk@^2',
  ],
  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  lambdaAutoDiscover: false,
  integrationTestAutoDiscover: false,
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 60_000,
      // jest defaults to cores - 1 = one worker on CI's 2 cores; two halve the suite's wall time.
      maxWorkers: 2,
      coverageReporters: ['text-summary'],
    },
  },
  eslintOptions: {
    dirs: ['src', 'lambda'],
    devdirs: ['test', 'projenrc', '.projenrc.ts'],
  },
});

// No import cycles in the library or the handler: a reader can tell which file is the root.
project.eslint?.addRules({ 'import/no-cycle': ['error'] });

// npm ci fails on this registry's lockfile without this override.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });
// constructs is only a peer otherwise; jsii wants it as a dev dependency too.
project.deps.addDependency('constructs@10.5.1', DependencyType.BUILD);
project.package.addField('engines', { node: '>= 20.0.0' });

// The handler lives outside src/ (jsii compiles src/ only); type-check it on its own.
new javascript.TypescriptConfig(project, {
  fileName: 'lambda/tsconfig.json',
  include: ['**/*.ts', '../src/wire-contract.ts'],
  compilerOptions: {
    rootDir: '..',
    noEmit: true,
    target: 'ES2022',
    module: 'node16',
    moduleResolution: javascript.TypeScriptModuleResolution.NODE16,
    lib: ['es2022'],
    types: ['node'],
    strict: true,
    noImplicitAny: true,
    noImplicitReturns: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    esModuleInterop: true,
    skipLibCheck: true,
  },
});

// Bundle the handler (one file exporting onEvent and isComplete) before jsii compiles,
// so that tests and `Code.fromAsset` find it.
const handlerBundle = 'assets/fargate-profile-handler/index.js';
const bundle = project.addTask('bundle', {
  description: 'Bundle the Lambda handler with esbuild into assets/',
  exec: [
    // node24: the Lambda runtime of the handlers (src/fargate-profile-provider.ts).
    'esbuild lambda/index.ts --bundle --minify --platform=node --target=node24',
    `--format=cjs --legal-comments=none --outfile=${handlerBundle}`,
  ].join(' '),
});
project.preCompileTask.spawn(bundle);
project.gitignore.exclude('/assets/');
project.npmignore?.include('/assets/');
// Ship compiled code only: the handler's TypeScript sources, the CI script and the contributor guide stay out
// of the tarball (test/package.test.ts fails on anything outside the expected file set).
project.npmignore?.exclude('/lambda/', '/.ci/', '/cdk.out/', '/test-reports/', '/CONTRIBUTING.md', '/docs/');

const typecheck = project.addTask('typecheck', {
  description: 'Type-check the handler and the tests (ts-jest only transpiles)',
  steps: [
    { exec: 'tsc --noEmit -p lambda/tsconfig.json' },
    { exec: 'tsc --noEmit -p test/tsconfig.json' },
  ],
});
project.testTask.prependSpawn(typecheck);

project.gitignore.exclude('/cdk.out/', '/test/.tmp/');

// Main job: synthesize the example app with the pinned aws-cdk CLI and show what it produced.
const exampleApp = 'ts-node --prefer-ts-exts -P test/tsconfig.json test/example/app.ts';
const example = project.addTask('example', {
  description: 'Synthesize the example app (test/example) with the pinned aws-cdk CLI and summarize the template',
  env: { CDK_DISABLE_CLI_TELEMETRY: 'true' },
});
example.spawn(bundle);
example.exec(`cdk synth --app "${exampleApp}" --no-notices --quiet -o cdk.out`);
example.exec('ts-node --prefer-ts-exts -P test/tsconfig.json test/example/summarize.ts cdk.out');

// Deploy the example app without AWS: the lifecycle runner (CloudFormation + Provider framework
// semantics) drives the bundled handler against the in-process EKS emulator. Both scripts are
// type-checked by `typecheck`, so ts-node only transpiles.
const localDeploy = project.addTask('local-deploy', {
  description: 'Deploy, update and delete the example stack against the EKS emulator (no AWS account) and print each profile\'s transitions',
});
localDeploy.spawn(bundle);
localDeploy.exec('ts-node --transpile-only -P test/tsconfig.json test/local-deploy.ts');
const benchmark = project.addTask('benchmark', {
  description: 'Compare detection lag and describe calls of the handler with aws-cdk-lib\'s polling strategy (scaled time, emulator)',
});
benchmark.spawn(bundle);
benchmark.exec('ts-node --transpile-only -P test/tsconfig.json test/benchmark.ts');
const measureTemplate = project.addTask('measure-template', {
  description: 'Resource count and template bytes of 1 and 50 default profiles on one cluster, next to native CfnFargateProfile + Role per profile',
});
measureTemplate.spawn(bundle);
measureTemplate.exec('ts-node --transpile-only -P test/tsconfig.json test/measure-template.ts');
// A measurement, not a test (no threshold): ours against native, paired runs, one process per run.
const measureSynth = project.addTask('measure-synth', {
  description: 'Synth wall time and peak memory of 10, 50, 200 and 500 profiles (5 wildcard selectors each) on one cluster, ours against native CfnFargateProfile + Role, paired runs, medians and ratios',
});
measureSynth.spawn(bundle);
measureSynth.exec('ts-node --transpile-only -P test/tsconfig.json test/measure-synth.ts', { receiveArgs: true });

// `build` packages only the npm tarball, with or without CI=true, so the README's test command
// needs no Java/.NET/Go/Python toolchains. Release builds of every language: `npx projen package-all`.
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('package:js')!);

// Every jsii language (`npx projen package-all`, then `npx projen test:languages`). jsii-pacmak is
// pinned exactly: it pins the Python build tools (its requirements-dev.txt), the Maven plugins and
// the jsii runtimes the packages depend on, so the same commit builds the same packages.
const pacmakVersion = '1.140.0';
project.deps.addDependency(`jsii-pacmak@${pacmakVersion}`, DependencyType.BUILD);
// Maven's usual local repository, shared with the Java app's `mvn test`, instead of pacmak's own empty one
// per run (downloads are cached across runs where the machine keeps ~/.m2).
project.tasks.tryFind('package:java')!.reset('jsii-pacmak -v --target java --maven-local-repository="$HOME/.m2/repository"');
// No .NET SDK on our machines: the C# sources only (dist/dotnet), nothing compiled or tested here.
project.tasks.tryFind('package:dotnet')!.reset('jsii-pacmak -v --target dotnet --code-only');
// test:languages compiles the generated Go module (go test, against the aws-cdk-go the app pins);
// pacmak's own `go build` would compile it a second time against the floor, doubling Go's long pole.
project.tasks.tryFind('package:go')!.env('JSII_BUILD_GO', '0');
// An app per language (test/languages/<lang>) installs the package just built and synthesizes the
// reference stacks; each template must equal the TypeScript app's (test/languages/run.ts).
const testLanguages = project.addTask('test:languages', {
  description: 'Build the Python, Java and Go packages and test an app in each against the TypeScript reference templates',
  env: { CDK_DISABLE_CLI_TELEMETRY: 'true' },
});
// API.md is TypeScript; each language's names are in docs/api/API.<language>.md. Not part of `docgen`
// (rosetta translates every example, which takes minutes): test:languages regenerates them, and CI's
// drift check fails when they are stale.
const docgenLanguages = project.addTask('docgen:languages', {
  description: 'Generate docs/api/API.<language>.md (Python, Java, Go, C#) from .jsii',
  exec: 'jsii-docgen -l python -l java -l go -l csharp -o docs/api/API.md',
});
testLanguages.spawn(docgenLanguages);
testLanguages.spawn(project.tasks.tryFind('package-all')!);
testLanguages.exec('ts-node --transpile-only -P test/tsconfig.json test/languages/run.ts');
// The TypeScript reference app imports the package by name, as users do; it is type-checked in the
// scratch project run.ts installs it into, not by the repository's test tsconfig.
project.tsconfigDev.addExclude('languages/typescript');
project.eslint?.addIgnorePattern('test/languages/typescript/');
project.gitignore.exclude('/test/languages/java/target/', '__pycache__/', '.pytest_cache/');

project.synth();
