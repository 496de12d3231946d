// IAM roles whose permissions live in customer-managed policies, never inline ones (the HIPAA, NIST 800-53
// and PCI DSS packs' IAMNoInlinePolicy): a managed policy is a resource of its own, versioned, reviewable
// and attachable, which those frameworks ask for.
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** The id of the managed policy under a role; a child, so whatever depends on the role waits for it. */
const POLICY_ID = 'Policy';

/**
 * A role whose `addToPrincipalPolicy` (every grant, `addToRolePolicy` of a function) writes into one
 * customer-managed policy attached to it, instead of the inline `DefaultPolicy`.
 */
export class ManagedPolicyRole extends iam.Role {
  private policy?: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    super(scope, id, props);
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.policy ??= new iam.ManagedPolicy(this, POLICY_ID, { roles: [this] });
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }
}

/**
 * Turns the inline default policy of a role created by someone else (the Provider framework's waiter
 * role) into a customer-managed policy. The managed policy takes over the inline policy's document
 * object, so statements added later still land in it; the inline policy leaves the tree.
 */
export function moveDefaultPolicyToManaged(role: iam.Role): void {
  const inline = role.node.tryFindChild('DefaultPolicy');
  if (!(inline instanceof iam.Policy)) return;
  new iam.ManagedPolicy(role, POLICY_ID, { roles: [role], document: inline.document });
  role.node.tryRemoveChild(inline.node.id);
}
