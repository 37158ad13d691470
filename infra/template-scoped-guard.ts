import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type {
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
} from 'aws-cdk-lib';

/** The Control Tower proactive controls the validator ships, one `.guard` file each. */
const CONTROL_TOWER_RULES = join(
  dirname(createRequire(import.meta.url).resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
  'rules/control-tower/cfn-guard',
);

/** A CloudFormation resource type as rules and templates write it, e.g. `AWS::S3::Bucket`. */
const RESOURCE_TYPE = /AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g;

/** One rule file and the resource types it names. */
export interface GuardRule {
  path: string;
  resourceTypes: ReadonlySet<string>;
}

/** Every Control Tower rule file, with the resource types its text names. */
export function controlTowerRules(directory: string = CONTROL_TOWER_RULES): GuardRule[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.guard'))
    .sort()
    .map((file) => {
      const path = join(directory, file);
      return { path, resourceTypes: new Set(readFileSync(path, 'utf8').match(RESOURCE_TYPE)) };
    });
}

/** The resource types the templates hold. */
export function templateResourceTypes(templatePaths: readonly string[]): Set<string> {
  const types = new Set<string>();
  for (const templatePath of templatePaths) {
    const template = JSON.parse(readFileSync(templatePath, 'utf8')) as {
      Resources?: Record<string, { Type?: unknown }>;
    };
    for (const resource of Object.values(template.Resources ?? {})) {
      if (typeof resource.Type === 'string') types.add(resource.Type);
    }
  }
  return types;
}

/**
 * The rules that can apply to templates holding `present`: those naming at least one of its
 * types. A rule that names none is kept only if it names no type at all, since then its scope
 * cannot be read from its text.
 */
export function applicableRules(rules: readonly GuardRule[], present: ReadonlySet<string>) {
  return rules.filter(
    (rule) =>
      rule.resourceTypes.size === 0 || [...rule.resourceTypes].some((type) => present.has(type)),
  );
}

/**
 * cfn-guard with the Control Tower rules, run only with the rules that can apply to the
 * synthesised templates.
 *
 * Every Control Tower rule selects its resources by type (`Resources.*[ Type == '...' ]`) and
 * runs only `when` that selection is not empty, so a rule whose types are all absent can only
 * skip. cfn-guard 3.1 pays for each rule file in proportion to the template, not to what the rule
 * selects: on this stack's 300 KB template the 237 rules took 13 s, the 51 that name one of its
 * types 3.8 s, with the same findings (docs/BENCHMARKS.md, `cfn-guard`). The test in
 * test/infra/template-scoped-guard.test.ts holds the findings equal to the full rule set's.
 *
 * Findings, names and rule ids are the validator's own, so acknowledgements
 * (`cdk-validator-cfnguard::<rule>`) read as before.
 */
export class TemplateScopedCfnGuard implements IPolicyValidationPlugin {
  readonly name: string;
  readonly version?: string;
  readonly ruleIds?: string[];
  private readonly rules: GuardRule[];

  constructor(rules: GuardRule[] = controlTowerRules()) {
    const full = new CfnGuardValidator();
    this.name = full.name;
    if (full.version !== undefined) this.version = full.version;
    if (full.ruleIds !== undefined) this.ruleIds = full.ruleIds;
    this.rules = rules;
  }

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const rules = applicableRules(this.rules, templateResourceTypes(context.templatePaths));
    if (rules.length === 0) return { success: true, violations: [] };
    const scoped = new CfnGuardValidator({
      controlTowerRulesEnabled: false,
      rules: rules.map((rule) => rule.path),
    });
    return scoped.validate(context);
  }
}
