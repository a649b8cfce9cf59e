import { WallmonitorConfig } from "../config/stack";
import { Model, ModelConstant, Registry } from "./registry";
import { ident, Identifier, literal, renderSql, RenderedSql, SqlValue } from "./render";
import { templateParameters } from "./template";
import { isStackValueName, STACK_VALUES } from "./values";

/**
 * A registry model rendered for one stack: its stack values (lib/sql/values.ts), its constants,
 * and every model it names qualified in the stack's schema. `{{ref NAME}}` resolves NAME through
 * the model's refs (a shared template's parameter) or as a model's own name.
 */

function constantValue(constant: ModelConstant, qualified: (name: string) => Identifier): SqlValue {
    if (typeof constant === "string") {
        return literal(constant);
    }
    if (constant === null || typeof constant !== "object") {
        return constant;
    }
    return "schemaObject" in constant ? qualified(constant.schemaObject) : ident(constant.identifier);
}

/**
 * Refuses a model whose values are not stack values, or whose constants reuse a stack value's
 * name (a name means one thing everywhere). Run over the whole registry before anything renders.
 */
export function checkStackValues(registry: Registry): void {
    for (const model of registry.models) {
        const where = `sql/${model.area}/models.yml ${model.name}`;
        for (const name of model.values) {
            if (!isStackValueName(name)) {
                throw new Error(`${where}: ${name} is not a stack value; add it to STACK_VALUES in lib/sql/values.ts, ` +
                    "or give it under constants");
            }
        }
        for (const name of Object.keys(model.constants)) {
            if (isStackValueName(name)) {
                throw new Error(`${where}: constant ${name} is a stack value (lib/sql/values.ts), which means one thing ` +
                    "everywhere; list it under values, or rename the placeholder");
            }
        }
    }
}

export function renderModel(registry: Registry, model: Model, config: WallmonitorConfig): RenderedSql {
    if (model.template === undefined) {
        throw new Error(`${model.name} is a ${model.kind} and has no template`);
    }
    const inSchema = (name: string): Identifier => ident(config.database, config.schema, name);
    const qualified = (name: string): Identifier => inSchema(registry.model(name).name);
    const { placeholders } = templateParameters(model.template, model.root);
    const tableParameters = placeholders.filter((name) => model.refs[name] !== undefined);
    const values: Record<string, SqlValue> = {
        ...Object.fromEntries(model.values.map((name) => {
            if (!isStackValueName(name)) {
                throw new Error(`${model.name}: ${name} is not a stack value (lib/sql/values.ts)`);
            }
            return [name, STACK_VALUES[name](config)];
        })),
        ...Object.fromEntries(Object.entries(model.constants).map(([name, constant]) => [name, constantValue(constant, inSchema)])),
        ...Object.fromEntries(tableParameters.map((name) => [name, qualified(model.refs[name])])),
    };
    return renderSql(model.template, values, {
        root: model.root,
        valueRefs: tableParameters.map((name) => model.refs[name]),
        ref: (name) => {
            const target = model.refs[name] ?? name;
            return { model: target, identifier: qualified(target) };
        },
    });
}
