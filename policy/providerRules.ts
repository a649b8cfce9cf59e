import type { Violation } from "./rules";
import { grantsOf, isUnknown, kindOf, PolicyContext, PolicyRule, PolicySubject } from "./subject";

/**
 * Rules for how @pulumi/snowflake 1.3.0 (terraform-provider-snowflake v1.x underneath) really
 * behaves, so that no change brings back a first `pulumi up` that fails or a second one that is
 * not a no-op. Each description names the provider source (paths under `pkg/` of
 * Snowflake-Labs/terraform-provider-snowflake) or issue it encodes. The per-resource rules run
 * like the ones in rules.ts; the stack rules need the whole build (which task is whose root,
 * which resource waits for which, which role holds which account privilege), and run in the
 * policy pack as stack validations and in the offline plan over the mock runtime's resources.
 */

const SNOWFLAKE = "snowflake:index/";
const isKind = (subject: { type: string }, kind: string) => subject.type.startsWith(SNOWFLAKE) && kindOf(subject.type) === kind;

/** A default the provider reads back as an expression: only one with parentheses (pkg/resources/table.go toColumnDefaultConfig). */
const READS_BACK_AS_EXPRESSION = (text: string) => text.includes("(") && text.includes(")");
/** Text types, which the provider quotes a constant default for (datatypes.IsTextDataType). */
const TEXT_TYPE = /^\s*(VARCHAR|CHAR|CHARACTER|STRING|TEXT|NCHAR|NVARCHAR|NVARCHAR2)\b/i;

const viewsCopyGrants: PolicyRule = {
    name: "views-copy-grants",
    description: "Every view sets copyGrants, because the provider replaces a view whose statement changed with " +
        "CREATE OR REPLACE VIEW and keeps its grants only with COPY GRANTS (pkg/resources/view.go).",
    check(subject) {
        if (!isKind(subject, "View") || subject.props.copyGrants === true || isUnknown(subject.props.copyGrants)) {
            return [];
        }
        return [`view ${String(subject.props.name)} does not set copyGrants: a change to its statement would drop every grant on it ` +
            "(the viewer's, the share's) until the next up"];
    },
};

const literalDefaultsConstant: PolicyRule = {
    name: "literal-defaults-constant",
    description: "A literal column default is a constant, unquoted, because the provider reads every default without " +
        "parentheses back as a constant with its quotes stripped (pkg/resources/table.go toColumnDefaultConfig, issue 5167).",
    check(subject) {
        if (!isKind(subject, "Table") || !Array.isArray(subject.props.columns)) {
            return [];
        }
        const table = String(subject.props.name);
        return (subject.props.columns as Record<string, any>[]).flatMap((column) => {
            const given = column?.default as Record<string, unknown> | undefined;
            const where = `${table}.${String(column?.name)}`;
            if (given === undefined || given === null) {
                return [];
            }
            const { expression, constant } = given;
            if (typeof expression === "string" && !isUnknown(expression) && !READS_BACK_AS_EXPRESSION(expression)) {
                return [`${where} has the literal default ${expression} as an expression; Snowflake reports it without ` +
                    "parentheses, the provider reads it back as a constant, and every preview shows a change: make it a constant"];
            }
            if (typeof constant === "string" && !isUnknown(constant)) {
                if (constant === "") {
                    return [`${where} has an empty constant default, which the provider never sends`];
                }
                if (TEXT_TYPE.test(String(column.type)) && /^'.*'$/s.test(constant)) {
                    return [`${where} has the quoted constant ${constant}; the provider quotes a text constant itself, ` +
                        "so give it unquoted"];
                }
            }
            return [];
        });
    },
};

/** Settings Snowflake takes on the root task of a graph only (https://docs.snowflake.com/en/sql-reference/sql/create-task). */
export const ROOT_ONLY_TASK_SETTINGS: readonly string[] = [
    "schedule", "suspendTaskAfterNumFailures", "taskAutoRetryAttempts", "errorIntegration",
];

/** Whether a task runs after others (a child), as far as its inputs tell; unknown `afters` count as a child. */
function isChildTask(props: Readonly<Record<string, unknown>>): boolean {
    const afters = props.afters;
    return afters !== undefined && afters !== null && !(Array.isArray(afters) && afters.length === 0);
}

const rootOnlyTaskSettings: PolicyRule = {
    name: "task-root-settings-on-roots",
    description: "No task sets allowOverlappingExecution (deprecated for OVERLAP_POLICY, refused on a child task, and " +
        "sent by the provider whenever set: pkg/sdk/tasks_gen.go, sdk/testint/tasks_gen_integration_test.go), and " +
        "only root tasks set SCHEDULE, SUSPEND_TASK_AFTER_NUM_FAILURES, TASK_AUTO_RETRY_ATTEMPTS or ERROR_INTEGRATION.",
    check(subject) {
        if (!isKind(subject, "Task")) {
            return [];
        }
        const props = subject.props;
        const task = String(props.name);
        const problems: string[] = [];
        if (props.allowOverlappingExecution !== undefined && props.allowOverlappingExecution !== null) {
            problems.push(`task ${task} sets allowOverlappingExecution, which Snowflake deprecated for OVERLAP_POLICY and refuses ` +
                "on a child task; leave it out (NO_OVERLAP is the default)");
        }
        if (isChildTask(props)) {
            for (const setting of ROOT_ONLY_TASK_SETTINGS.filter((key) => props[key] !== undefined && props[key] !== null)) {
                problems.push(`task ${task} runs after another task but sets ${setting}, a setting of the root task only`);
            }
        }
        return problems;
    },
};

/** The per-resource rules of this file; the pack and the offline plan run them beside rules.ts's RULES. */
export const PROVIDER_RULES: readonly PolicyRule[] = [viewsCopyGrants, literalDefaultsConstant, rootOnlyTaskSettings];

// ---------------------------------------------------------------------------------------------
// Stack rules.

/** One resource of the build, with what a stack rule needs beyond its inputs. */
export interface StackSubject extends PolicySubject {
    /** A key unique in the build: `type::name`. */
    readonly key: string;
    /** Keys of the resources it waits for (explicit dependsOn and input dependencies). */
    readonly dependencies: readonly string[];
    /** Keys of the resources each input comes from (CrossGuard's propertyDependencies), when known. */
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
    /** The `role` of the provider that creates it, and so owns it. */
    readonly providerRole?: string;
    /** Its URN, where the engine gave one (CrossGuard reports violations against it). */
    readonly urn?: string;
}

export interface StackPolicyRule {
    readonly name: string;
    readonly description: string;
    check(subjects: readonly StackSubject[], context: PolicyContext): { subject: StackSubject; message: string }[];
}

export const subjectKey = (type: string, name: string) => `${type}::${name}`;

/** `type::name` of a URN (`urn:pulumi:stack::project::parent$type::name`). */
export function keyOfUrn(urn: string): string {
    const parts = urn.split("::");
    return subjectKey((parts[2] ?? "").split("$").pop() ?? "", parts.slice(3).join("::"));
}

/** `"DB"."S"."NAME"` or DB.S.NAME as DB.S.NAME. */
const qualified = (name: unknown) => (typeof name === "string" ? name.replace(/"/g, "").toUpperCase() : "");
const taskName = (task: StackSubject) => qualified([task.props.database, task.props.schema, task.props.name].join("."));

/** Every resource key `from` waits for, directly or through others. */
function waitsFor(subjects: readonly StackSubject[]): (from: StackSubject, on: StackSubject) => boolean {
    const byKey = new Map(subjects.map((subject) => [subject.key, subject]));
    const closure = new Map<string, Set<string>>();
    const reach = (key: string): Set<string> => {
        const known = closure.get(key);
        if (known !== undefined) {
            return known;
        }
        const found = new Set<string>();
        closure.set(key, found);
        for (const next of byKey.get(key)?.dependencies ?? []) {
            found.add(next);
            reach(next).forEach((further) => found.add(further));
        }
        return found;
    };
    return (from, on) => reach(from.key).has(on.key);
}

/** Each task's root in the build: through `afters` (by name, or by the resources `afters` comes from while unknown). */
function rootsOf(tasks: readonly StackSubject[]): Map<StackSubject, StackSubject> {
    const byName = new Map(tasks.map((task) => [taskName(task), task]));
    const byKey = new Map(tasks.map((task) => [task.key, task]));
    const parentOf = (task: StackSubject): StackSubject | undefined => {
        if (!isChildTask(task.props)) {
            return undefined;
        }
        const named = (Array.isArray(task.props.afters) ? task.props.afters : [])
            .filter((after): after is string => typeof after === "string" && !isUnknown(after))
            .map((after) => byName.get(qualified(after)))
            .find((parent) => parent !== undefined);
        return named ?? (task.propertyDependencies?.afters ?? []).map((key) => byKey.get(key)).find((parent) => parent !== undefined);
    };
    const roots = new Map<StackSubject, StackSubject>();
    for (const task of tasks) {
        let root = task;
        const seen = new Set<StackSubject>([task]);
        for (let parent = parentOf(root); parent !== undefined && !seen.has(parent); parent = parentOf(root)) {
            seen.add(parent);
            root = parent;
        }
        roots.set(task, root);
    }
    return roots;
}

const taskGraphSerialised: StackPolicyRule = {
    name: "task-graph-changes-serialised",
    description: "The child tasks of one graph wait for each other, because the provider suspends and resumes the root " +
        "around every child's change (pkg/sdk/tasks_impl_gen.go SuspendRootTasks) and two children changed at once race " +
        "and can leave the graph suspended (issues 4041 and 3887).",
    check(subjects) {
        const tasks = subjects.filter((subject) => isKind(subject, "Task"));
        const roots = rootsOf(tasks);
        const waits = waitsFor(subjects);
        const problems: { subject: StackSubject; message: string }[] = [];
        const children = tasks.filter((task) => roots.get(task) !== task);
        children.forEach((task, index) => {
            for (const other of children.slice(index + 1).filter((candidate) => roots.get(candidate) === roots.get(task))) {
                if (!waits(task, other) && !waits(other, task)) {
                    problems.push({ subject: other, message: `tasks ${String(task.props.name)} and ${String(other.props.name)} of the ` +
                        `graph of ${String(roots.get(task)!.props.name)} may change at the same time; make one depend on the other ` +
                        "(dependsOn) so the provider's suspend and resume of the root do not race" });
                }
            }
        });
        return problems;
    },
};

const startedTaskOwnerExecutes: StackPolicyRule = {
    name: "started-task-owner-can-execute",
    description: "The role owning a started task holds EXECUTE TASK (and, for a serverless task, EXECUTE MANAGED TASK) " +
        "on the account in the same build, because the provider resumes it at once (pkg/resources/task.go " +
        "waitForTaskStart; https://docs.snowflake.com/en/sql-reference/sql/alter-task).",
    check(subjects) {
        // A preview may not know yet whom an account grant goes to, or what it grants: decide nothing then.
        const undecided = subjects.some((subject) => isKind(subject, "GrantPrivilegesToAccountRole") && subject.props.onAccount === true &&
            (isUnknown(subject.props.accountRoleName) || isUnknown(subject.props.privileges) ||
             (Array.isArray(subject.props.privileges) && subject.props.privileges.some(isUnknown))));
        if (undecided) {
            return [];
        }
        const accountPrivileges = new Map<string, Set<string>>();
        for (const grant of subjects.flatMap(grantsOf).filter((fact) => fact.granteeKind === "ROLE" && fact.objectType === "ACCOUNT")) {
            const held = accountPrivileges.get(grant.grantee) ?? new Set<string>();
            grant.privileges.forEach((privilege) => held.add(privilege.replace(/\s+/g, " ").toUpperCase()));
            accountPrivileges.set(grant.grantee, held);
        }
        return subjects.filter((subject) => isKind(subject, "Task") && subject.props.started !== false).flatMap((task) => {
            const name = String(task.props.name);
            if (task.providerRole === undefined || isUnknown(task.providerRole)) {
                return [{ subject: task, message: `task ${name} is started, but its provider names no role, so who must hold ` +
                    "EXECUTE TASK cannot be checked; create it with an explicit provider whose role owns it" }];
            }
            const role = qualified(task.providerRole);
            const serverless = typeof task.props.warehouse !== "string" || task.props.warehouse === "";
            const needed = ["EXECUTE TASK", ...(serverless ? ["EXECUTE MANAGED TASK"] : [])];
            const held = accountPrivileges.get(role) ?? new Set<string>();
            const missing = needed.filter((privilege) => !held.has(privilege) && !held.has("ALL PRIVILEGES"));
            return missing.length === 0 ? [] : [{ subject: task, message: `task ${name} is started, but its owner role ${role} is ` +
                `granted no ${missing.join(" and no ")} on the account in this build; resuming it would fail` }];
        });
    },
};

const incrementalSourcesTrackChanges: StackPolicyRule = {
    name: "incremental-sources-track-changes",
    description: "A view that an INCREMENTAL dynamic table reads sets changeTracking \"true\", as Snowflake turns it on and " +
        "the provider reads it back and would turn it off again (pkg/resources/view.go change_tracking).",
    check(subjects) {
        const views = subjects.filter((subject) => isKind(subject, "View") && typeof subject.props.name === "string");
        return subjects.filter((subject) => isKind(subject, "DynamicTable") && String(subject.props.refreshMode).toUpperCase() === "INCREMENTAL")
            .flatMap((table) => {
                const query = typeof table.props.query === "string" ? table.props.query : "";
                return views.filter((view) => subjectReads(query, view) && view.props.changeTracking !== "true")
                    .map((view) => ({ subject: view, message: `view ${String(view.props.name)} is read by the INCREMENTAL dynamic table ` +
                        `${String(table.props.name)} but does not set changeTracking "true"; every up would turn change tracking off` }));
            });
    },
};

/** Whether `query` names `view` (qualified by its own database and schema, or unqualified) outside its comments. */
function subjectReads(query: string, view: StackSubject): boolean {
    const name = String(view.props.name).toUpperCase();
    // A name in a comment is not a read.
    const text = query.replace(/--[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "").replace(/"/g, "").toUpperCase();
    const pattern = new RegExp(`(^|[^A-Z0-9_$.])((${qualified(view.props.database)}\\.)?${qualified(view.props.schema)}\\.)?${name}($|[^A-Z0-9_$])`);
    return pattern.test(text);
}

const errorIntegrationIsQueue: StackPolicyRule = {
    name: "task-error-integration-is-queue",
    description: "A task's ERROR_INTEGRATION is never one of the build's email or webhook integrations, which Snowflake " +
        "does not support for task error notifications (https://docs.snowflake.com/en/user-guide/tasks-errors).",
    check(subjects) {
        const notQueues = new Set(subjects
            .filter((subject) => /(Email|Webhook)Integration$/.test(kindOf(subject.type)))
            .flatMap((subject) => [subject.props.name, (subject.props.integration as Record<string, unknown> | undefined)?.name])
            .filter((name): name is string => typeof name === "string")
            .map(qualified));
        return subjects.filter((subject) => isKind(subject, "Task") && notQueues.has(qualified(subject.props.errorIntegration)))
            .map((task) => ({ subject: task, message: `task ${String(task.props.name)} sends its errors to ` +
                `${String(task.props.errorIntegration)}, an email or webhook integration; task errors go only to a queue ` +
                "integration (Amazon SNS, Google Pub/Sub, Azure Event Grid)" }));
    },
};

export const PROVIDER_STACK_RULES: readonly StackPolicyRule[] = [
    taskGraphSerialised, startedTaskOwnerExecutes, incrementalSourcesTrackChanges, errorIntegrationIsQueue,
];

/** Runs the stack rules over a build; violations in the order runPolicies uses. */
export function runStackPolicies(subjects: readonly StackSubject[], context: PolicyContext,
                                 rules: readonly StackPolicyRule[] = PROVIDER_STACK_RULES): Violation[] {
    return rules.flatMap((rule) => rule.check(subjects, context)
        .map(({ subject, message }) => ({ policy: rule.name, type: subject.type, resource: subject.name, message })))
        .sort((a, b) => a.policy.localeCompare(b.policy) || a.resource.localeCompare(b.resource) || a.message.localeCompare(b.message));
}
