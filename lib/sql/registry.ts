import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

import { SQL_ROOT, templateParameters } from "./template";

/**
 * The model registry: every table, view and dynamic table Wallmonitor deploys, declared once in
 * the models.yml beside its SQL (sql/<area>/models.yml), in the spirit of dbt's models. A
 * declaration holds the model's name and kind, its template, the stack values and constants it
 * takes, the models its template parameters name (`refs`), its readers and its columns, each
 * with a data classification. What it reads comes from its SQL (`{{ref NAME}}`, see
 * lib/sql/render.ts). The catalogs, grants, the viewer's readable set, the raw-event views, the
 * share, the dashboard's allowed views and the policy pack's lists all derive from here.
 *
 * The classification rules are checked when the registry loads; a broken declaration fails
 * before anything is rendered or created, naming the model, the column and the fix. This module
 * reads no stack config and imports nothing that does (lib/sql/tables.ts loads it on import);
 * lib/sql/modelSql.ts renders a model for a stack.
 */

export const MODEL_KINDS = ["table", "view", "dynamic_table", "statement", "task"] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/**
 * What a column may hold. conversation_text: a question, an answer or raw attributes (owner
 * only). user_free_text: what a user typed besides (a retrieval query, a feedback comment): the
 * viewer may read it, the share never carries it. error_text: an error message, which can quote
 * names, tables and values: the viewer may read it, the share carries it only where it says so
 * (sharedWhenUsersNamed, the identity rule of sql/org). user_identity: who a user is: the viewer
 * may read it, the share carries it as wallmonitor:orgUserIdentity says. none: anything else.
 */
export const CLASSIFICATIONS = ["conversation_text", "user_free_text", "error_text", "user_identity", "none"] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export const READERS = ["owner", "viewer", "share"] as const;
export type Reader = (typeof READERS)[number];

/** Config switches a shared model may depend on. */
const SHARE_CONDITIONS = ["orgShareRecentHistory"] as const;
export type ShareCondition = (typeof SHARE_CONDITIONS)[number];

export type RefreshMode = "INCREMENTAL" | "FULL";

/**
 * A per-model constant: a string is a SQL literal, `{ identifier: NAME }` an unqualified
 * identifier, `{ schemaObject: NAME }` NAME qualified in the stack's schema (a procedure).
 */
export type ModelConstant = string | number | boolean | null | { readonly identifier: string } | { readonly schemaObject: string };

export interface ModelColumn {
    readonly name: string;
    readonly classification: Classification;
    /** Tables only: the type as Snowflake reports it, nullability, default and comment (sql/tables/models.yml). */
    readonly type?: string;
    readonly nullable?: boolean;
    readonly defaultConstant?: string;
    readonly defaultExpression?: string;
    readonly comment?: string;
    /** error_text only: the share carries it, and only when users are named (sql/org/source_rows_history.sql). */
    readonly sharedWhenUsersNamed?: boolean;
}

export interface Model {
    readonly name: string;
    readonly kind: ModelKind;
    /** The sql/ folder that declares it (dashboards, cost, tables, ...): which component deploys it. */
    readonly area: string;
    /** The folder its template is read from: sql/, or an extra root given to loadRegistry. */
    readonly root: string;
    /** Its template, relative to root (`dashboards/thread_activity.sql`); tables have none. */
    readonly template?: string;
    /** Template parameter -> the model it names. */
    readonly refs: Readonly<Record<string, string>>;
    /** Stack values by placeholder name (lib/sql/values.ts STACK_VALUES). */
    readonly values: readonly string[];
    readonly constants: Readonly<Record<string, ModelConstant>>;
    readonly readers: readonly Reader[];
    /** The Streamlit dashboard queries it (streamlit/dashboard/registry_views.py). */
    readonly dashboard: boolean;
    /** A shared model that the share carries only with this config switch on. */
    readonly shareWhen?: ShareCondition;
    readonly columns: readonly ModelColumn[];
    /** The models it reads, from its template: `{{ref NAME}}` and the table parameters its refs fill. */
    readonly reads: readonly string[];
    readonly comment?: string;
    readonly naturalKeyNotCreated?: readonly string[];
    readonly changeTracking: boolean;
    readonly refreshMode?: RefreshMode;
    readonly refreshModeReason?: string;
}

export interface Registry {
    /** Every model in declaration order: sql/tables first, then the areas in AREA_ORDER, then extra roots. */
    readonly models: readonly Model[];
    model(name: string): Model;
    /** `models` ordered so that each comes after the ones among them it reads; otherwise in declaration order. */
    creationOrder(models: readonly Model[]): Model[];
}

export interface LoadOptions {
    /** More folders laid out like sql/ (`<root>/<area>/models.yml` beside its templates), loaded after sql/. */
    readonly extraRoots?: readonly string[];
}

const MODELS_FILE = "models.yml";
/** Areas in the order their models are declared: tables before what reads them. */
const AREA_ORDER = ["tables", "ingestion", "rollups", "dashboards", "alerts", "cost"];

class RegistryError extends Error {
    constructor(where: string, message: string) {
        super(`${where}: ${message}`);
    }
}

type Raw = Record<string, unknown>;

function isObject(value: unknown): value is Raw {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringList(where: string, key: string, value: unknown): string[] {
    if (value === undefined) {
        return [];
    }
    if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
        throw new RegistryError(where, `${key} must be a list of names`);
    }
    return value as string[];
}

const NAME = /^[A-Z][A-Z0-9_]*$/;
/** A statement's name: the key its procedure looks it up by (procedures/*.py). */
const STATEMENT_NAME = /^[a-z][a-z0-9_]*$/;
/** Kinds that are schema objects with columns and readers; statements and tasks have neither. */
const OBJECT_KINDS: readonly ModelKind[] = ["table", "view", "dynamic_table"];

function parseColumn(where: string, raw: unknown): ModelColumn {
    // `- NAME: classification`, or a mapping with name, classification and (tables) type etc.
    const entry = isObject(raw) && Object.keys(raw).length === 1 && raw.name === undefined
        ? { name: Object.keys(raw)[0], classification: Object.values(raw)[0] } : raw;
    if (!isObject(entry) || typeof entry.name !== "string" || !NAME.test(entry.name)) {
        throw new RegistryError(where, `a column must be "- NAME: classification" or a mapping with an UPPERCASE name, got ${JSON.stringify(raw)}`);
    }
    const column = `${where}.${entry.name}`;
    if (!CLASSIFICATIONS.includes(entry.classification as Classification)) {
        throw new RegistryError(column, `classification must be one of ${CLASSIFICATIONS.join(", ")}, got ${JSON.stringify(entry.classification)}`);
    }
    const known = ["name", "classification", "type", "nullable", "defaultConstant", "defaultExpression", "comment", "sharedWhenUsersNamed"];
    const unknown = Object.keys(entry).filter((key) => !known.includes(key));
    if (unknown.length > 0) {
        throw new RegistryError(column, `unknown column keys ${unknown.join(", ")} (known: ${known.join(", ")})`);
    }
    return entry as unknown as ModelColumn;
}

function parseConstant(where: string, name: string, raw: unknown): ModelConstant {
    if (typeof raw === "string" || typeof raw === "number" || typeof raw === "boolean" || raw === null) {
        return raw;
    }
    if (isObject(raw) && typeof raw.identifier === "string" && NAME.test(raw.identifier) && Object.keys(raw).length === 1) {
        return { identifier: raw.identifier };
    }
    if (isObject(raw) && typeof raw.schemaObject === "string" && NAME.test(raw.schemaObject) && Object.keys(raw).length === 1) {
        return { schemaObject: raw.schemaObject };
    }
    throw new RegistryError(where, `constant ${name} must be a string, number, boolean, null, { identifier: NAME } or { schemaObject: NAME }`);
}

const MODEL_KEYS = [
    "name", "kind", "sql", "refs", "values", "constants", "readers", "dashboard", "shareWhen", "columns", "comment",
    "naturalKeyNotCreated", "changeTracking", "refreshMode", "refreshModeReason",
];

function parseModel(file: string, root: string, area: string, raw: unknown): Omit<Model, "reads"> {
    const statementName = isObject(raw) && raw.kind === "statement";
    if (!isObject(raw) || typeof raw.name !== "string" || !(statementName ? STATEMENT_NAME : NAME).test(raw.name)) {
        throw new RegistryError(file, `every model needs a name, UPPERCASE (a statement: lower_snake_case), got ${
            JSON.stringify(isObject(raw) ? raw.name : raw)}`);
    }
    const where = `${file} ${raw.name}`;
    const unknown = Object.keys(raw).filter((key) => !MODEL_KEYS.includes(key));
    if (unknown.length > 0) {
        throw new RegistryError(where, `unknown keys ${unknown.join(", ")} (known: ${MODEL_KEYS.join(", ")})`);
    }
    if (!MODEL_KINDS.includes(raw.kind as ModelKind)) {
        throw new RegistryError(where, `kind must be one of ${MODEL_KINDS.join(", ")}`);
    }
    const kind = raw.kind as ModelKind;
    if (kind === "table" ? raw.sql !== undefined : typeof raw.sql !== "string") {
        throw new RegistryError(where, kind === "table" ? "a table has no sql file: its columns are its definition"
            : `sql must name its template in ${area}/`);
    }
    const template = typeof raw.sql === "string" ? `${area}/${raw.sql}` : undefined;
    if (template !== undefined && !fs.existsSync(path.join(root, template))) {
        throw new RegistryError(where, `its template ${template} does not exist`);
    }
    const refs = raw.refs ?? {};
    if (!isObject(refs) || Object.values(refs).some((target) => typeof target !== "string")) {
        throw new RegistryError(where, "refs must map template parameters to model names");
    }
    const values = stringList(where, "values", raw.values);
    const rawConstants = raw.constants ?? {};
    if (!isObject(rawConstants)) {
        throw new RegistryError(where, "constants must map placeholder names to values");
    }
    const constants = Object.fromEntries(Object.entries(rawConstants).map(([name, value]) =>
        [name, parseConstant(where, name, value)]));
    const isObjectKind = OBJECT_KINDS.includes(kind);
    if (!isObjectKind && (raw.readers !== undefined || raw.columns !== undefined)) {
        throw new RegistryError(where, `a ${kind} has no readers or columns: the owner's procedures and tasks run it`);
    }
    const readers = isObjectKind ? stringList(where, "readers", raw.readers) : ["owner"];
    if (!readers.includes("owner") || readers.some((reader) => !READERS.includes(reader as Reader))) {
        throw new RegistryError(where, `readers must list owner (it owns the object) and optionally viewer and share, got [${readers.join(", ")}]`);
    }
    if (isObjectKind && (!Array.isArray(raw.columns) || raw.columns.length === 0)) {
        throw new RegistryError(where, "columns must list every column, in order, each with its classification");
    }
    const columns = isObjectKind ? (raw.columns as unknown[]).map((column) => parseColumn(where, column)) : [];
    const duplicate = columns.find((column, index) => columns.findIndex((other) => other.name === column.name) !== index);
    if (duplicate !== undefined) {
        throw new RegistryError(where, `column ${duplicate.name} is listed twice`);
    }
    if (raw.shareWhen !== undefined && !SHARE_CONDITIONS.includes(raw.shareWhen as ShareCondition)) {
        throw new RegistryError(where, `shareWhen must be one of ${SHARE_CONDITIONS.join(", ")}`);
    }
    const refreshModeGiven = (raw.refreshMode === "INCREMENTAL" || raw.refreshMode === "FULL") && typeof raw.refreshModeReason === "string";
    if (kind === "dynamic_table" && !refreshModeGiven) {
        throw new RegistryError(where, "a dynamic table needs refreshMode (INCREMENTAL or FULL) and refreshModeReason");
    }
    return {
        name: raw.name,
        kind,
        area,
        root,
        template,
        refs: refs as Record<string, string>,
        values,
        constants,
        readers: readers as Reader[],
        dashboard: raw.dashboard === true,
        shareWhen: raw.shareWhen as ShareCondition | undefined,
        columns,
        comment: typeof raw.comment === "string" ? raw.comment : undefined,
        naturalKeyNotCreated: raw.naturalKeyNotCreated === undefined ? undefined : stringList(where, "naturalKeyNotCreated", raw.naturalKeyNotCreated),
        changeTracking: raw.changeTracking === true,
        refreshMode: raw.refreshMode as RefreshMode | undefined,
        refreshModeReason: typeof raw.refreshModeReason === "string" ? raw.refreshModeReason : undefined,
    };
}

/** The models a template reads, and a check that its declaration gives exactly the parameters it uses. */
function readsOf(model: Omit<Model, "reads">, isModel: (name: string) => boolean): string[] {
    const where = `${model.area}/${MODELS_FILE} ${model.name}`;
    if (model.template === undefined) {
        return [];
    }
    const { placeholders, refs } = templateParameters(model.template, model.root);
    const tableParameters = placeholders.filter((name) => model.refs[name] !== undefined);
    const given = [...model.values, ...Object.keys(model.constants), ...tableParameters].sort();
    const used = [...placeholders].sort();
    const missing = used.filter((name) => !given.includes(name));
    const unused = [...model.values, ...Object.keys(model.constants)].filter((name) => !used.includes(name));
    if (missing.length > 0 || unused.length > 0) {
        throw new RegistryError(where, `its values and constants must be exactly the placeholders ${model.template} uses` +
            (missing.length > 0 ? `; missing: ${missing.join(", ")}` : "") + (unused.length > 0 ? `; not in the template: ${unused.join(", ")}` : ""));
    }
    const unusedRefs = Object.keys(model.refs).filter((name) => !refs.includes(name) && !placeholders.includes(name));
    if (unusedRefs.length > 0) {
        throw new RegistryError(where, `refs ${unusedRefs.join(", ")} are not parameters of ${model.template}`);
    }
    const reads = [...tableParameters, ...refs].map((name) => model.refs[name] ?? name);
    for (const read of reads) {
        if (!isModel(read)) {
            throw new RegistryError(where, `${model.template} reads ${read}, which no models.yml declares; ` +
                "declare it, or map the parameter to a model under refs");
        }
    }
    return [...new Set(reads)];
}

/** The classification rules (see CLASSIFICATIONS), on a model whose reads are known. */
function checkClassification(model: Model): void {
    const where = `${model.area}/${MODELS_FILE} ${model.name}`;
    const viewer = model.readers.includes("viewer");
    const share = model.readers.includes("share");
    if (model.kind === "table" && viewer) {
        throw new RegistryError(where, "the viewer reads tables only through views: drop viewer from its readers and declare a view");
    }
    if (model.kind === "dynamic_table" && !viewer) {
        throw new RegistryError(where, "the viewer may read every dynamic table of the schema (a future grant): add viewer to its readers");
    }
    if (share && !(model.kind === "table" || model.kind === "view")) {
        throw new RegistryError(where, "only tables and views can be shared");
    }
    if (model.shareWhen !== undefined && !share) {
        throw new RegistryError(where, "shareWhen needs share among its readers");
    }
    if (model.dashboard && !viewer) {
        throw new RegistryError(where, "the dashboard runs as the viewer role: add viewer to its readers, or drop dashboard");
    }
    for (const column of model.columns) {
        const at = `${where}.${column.name}`;
        if (column.classification === "conversation_text" && viewer) {
            throw new RegistryError(at, "conversation_text is read by the owner only: drop viewer (and dashboard) from the " +
                "model's readers, or leave the column out of it");
        }
        if (column.sharedWhenUsersNamed !== undefined && column.classification !== "error_text") {
            throw new RegistryError(at, "sharedWhenUsersNamed applies to error_text columns only");
        }
        if (column.classification === "error_text" && share && column.sharedWhenUsersNamed !== true) {
            throw new RegistryError(at, "error_text leaves the account only when users are named (sql/org/source_rows_history.sql): " +
                "set sharedWhenUsersNamed: true and give it an sql/org identity template, or drop share from the readers");
        }
    }
}

function readModelsFile(file: string): unknown[] {
    const document = yaml.load(fs.readFileSync(file, "utf8"));
    if (!isObject(document) || !Array.isArray(document.models)) {
        throw new RegistryError(file, "a models.yml holds one key, models: a list of declarations");
    }
    return document.models;
}

function areasOf(root: string): string[] {
    const areas = fs.readdirSync(root, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(root, entry.name, MODELS_FILE)))
        .map((entry) => entry.name);
    const rank = (area: string) => (AREA_ORDER.includes(area) ? AREA_ORDER.indexOf(area) : AREA_ORDER.length);
    return areas.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Reads and checks every models.yml under sql/ (and the extra roots). */
export function loadRegistry(options: LoadOptions = {}): Registry {
    const declared: Omit<Model, "reads">[] = [];
    for (const root of [SQL_ROOT, ...(options.extraRoots ?? [])]) {
        for (const area of areasOf(root)) {
            const file = path.join(root, area, MODELS_FILE);
            const label = root === SQL_ROOT ? `sql/${area}/${MODELS_FILE}` : file;
            declared.push(...readModelsFile(file).map((raw) => parseModel(label, root, area, raw)));
        }
    }
    const names = new Set<string>();
    for (const model of declared) {
        if (names.has(model.name)) {
            throw new RegistryError(`${model.area}/${MODELS_FILE} ${model.name}`, "declared twice; a model name is unique across sql/");
        }
        names.add(model.name);
    }
    const models = declared.map((model): Model => ({ ...model, reads: readsOf(model, (name) => names.has(name)) }));
    models.forEach(checkClassification);
    const byName = new Map(models.map((model) => [model.name, model]));
    return {
        models,
        model: (name) => {
            const model = byName.get(name);
            if (model === undefined) {
                throw new Error(`no model ${name} in the registry (sql/*/${MODELS_FILE})`);
            }
            return model;
        },
        creationOrder: (subset) => creationOrder(subset),
    };
}

function creationOrder(subset: readonly Model[]): Model[] {
    const inSubset = new Set(subset.map((model) => model.name));
    const ordered: Model[] = [];
    const placed = new Set<string>();
    const visit = (model: Model, path: readonly string[]) => {
        if (placed.has(model.name)) {
            return;
        }
        if (path.includes(model.name)) {
            throw new Error(`models read each other in a cycle: ${[...path, model.name].join(" -> ")}`);
        }
        for (const read of model.reads.filter((name) => inSubset.has(name))) {
            visit(subset.find((candidate) => candidate.name === read)!, [...path, model.name]);
        }
        placed.add(model.name);
        ordered.push(model);
    };
    subset.forEach((model) => visit(model, []));
    return ordered;
}

let loaded: Registry | undefined;

/** The registry of sql/, loaded once. */
export function defaultRegistry(): Registry {
    loaded ??= loadRegistry();
    return loaded;
}

// --- what derives from the registry -------------------------------------------------------------

/** A model with conversation text: one row per raw event, never granted to the viewer. */
export function holdsConversationText(model: Model): boolean {
    return model.columns.some((column) => column.classification === "conversation_text");
}

/** The viewer role's SELECT: readers list viewer (and, checked on load, the model holds no conversation text). */
export function viewerReads(model: Model): boolean {
    return model.readers.includes("viewer") && !holdsConversationText(model);
}

/** The views the Streamlit dashboard may query (streamlit/dashboard/registry_views.py is generated from it). */
export function dashboardViewNames(registry: Registry): string[] {
    return registry.models.filter((model) => model.dashboard).map((model) => model.name).sort();
}

/** The columns a share carries of a shared model: never conversation text or user-typed text. */
export function sharedColumns(model: Model): ModelColumn[] {
    return model.columns.filter((column) => column.classification !== "conversation_text" && column.classification !== "user_free_text");
}

/** The shared models: the unconditional ones, then those a config switch adds. */
export function sharedModels(registry: Registry): { always: Model[]; when: Model[] } {
    const shared = registry.models.filter((model) => model.readers.includes("share"));
    return { always: shared.filter((model) => model.shareWhen === undefined), when: shared.filter((model) => model.shareWhen !== undefined) };
}
