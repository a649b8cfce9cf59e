import { LocalWorkspace } from "@pulumi/pulumi/automation";

/**
 * The part of Pulumi's Automation API the rollout uses, so that tests inject a fake and the
 * command itself runs on LocalWorkspace (which needs the Pulumi CLI).
 */

/** Operation counts, as Automation API's OpMap (`same`, `create`, `update`, `delete`, `replace`, ...). */
export type ChangeCounts = Readonly<Record<string, number | undefined>>;

export interface RolloutStack {
    preview(onOutput: (line: string) => void): Promise<{ changeSummary: ChangeCounts }>;
    up(onOutput: (line: string) => void): Promise<{ summary: { result: string; resourceChanges?: ChangeCounts } }>;
}

export interface RolloutWorkspace {
    /** Selects an existing stack of the project; rejects when there is none. */
    selectStack(name: string): Promise<RolloutStack>;
}

/** The project's stacks in `workDir`, through the Pulumi CLI. */
export function localWorkspace(workDir: string): RolloutWorkspace {
    return {
        async selectStack(stackName: string): Promise<RolloutStack> {
            const stack = await LocalWorkspace.selectStack({ stackName, workDir });
            return {
                preview: (onOutput) => stack.preview({ onOutput }),
                up: (onOutput) => stack.up({ onOutput }),
            };
        },
    };
}
