/**
 * What a person can read of the dashboard's charts, measured in the browser from the SVG Vega
 * draws (streamlit/dashboard/charts.py asks vega-embed for the SVG renderer): bar thickness,
 * category labels drawn and apart, legend entries all shown, titles whole, and the time axis in
 * the unit of the query's bucket. Vega names every axis and legend for assistive technology
 * ("Y-axis for a discrete scale with 13 values: …"); those descriptions give the counts the
 * drawn labels must reach.
 */
import { Page } from "playwright-core";

/** A box in page pixels. */
export interface Box { x: number; y: number; width: number; height: number }

export interface DrawnText { text: string; box: Box; visible: boolean }

export interface DrawnAxis {
    /** "X" or "Y", from the axis's aria description. */
    readonly side: string;
    /** Vega's aria description of the axis. */
    readonly description: string;
    readonly discrete: boolean;
    /** The number of values a discrete axis has (from its description). */
    readonly values: number | null;
    readonly title: string;
    readonly labels: DrawnText[];
}

export interface DrawnChart {
    readonly title: string;
    readonly titleBox: Box | null;
    /** The part of the chart that can be seen. */
    readonly box: Box;
    readonly axes: DrawnAxis[];
    readonly legends: { description: string; values: number | null; labels: DrawnText[] }[];
    /** Every bar's box. */
    readonly bars: Box[];
}

/**
 * Runs in the page (a string: this project compiles without the DOM library). Charts inside a
 * collapsed expander have no size and are left out: nobody sees them until they are opened.
 */
const PROBE = `(() => {
    const box = (element) => { const r = element.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; };
    const visible = (element) => {
        for (let node = element; node && node.tagName !== 'svg'; node = node.parentElement) {
            if (node.getAttribute('opacity') === '0' || node.style.opacity === '0' || node.style.display === 'none') return false;
        }
        return element.getBoundingClientRect().width > 0;
    };
    const texts = (group, role) => [...group.querySelectorAll('g.role-' + role + ' text')]
        .map((text) => ({ text: text.textContent, box: box(text), visible: visible(text) }));
    const count = (description) => { const m = /with (\\d+) values?/.exec(description || ''); return m ? Number(m[1]) : null; };
    return [...document.querySelectorAll('[data-testid="stVegaLiteChart"] svg.marks')]
        .filter((svg) => svg.getBoundingClientRect().width > 0)
        .map((svg) => {
            const title = svg.querySelector('g.role-title-text text');
            const axes = [...svg.querySelectorAll('g.role-axis')]
                .filter((axis) => axis.getAttribute('aria-label'))
                .map((axis) => {
                    const description = axis.getAttribute('aria-label');
                    const axisTitle = axis.querySelector('g.role-axis-title text');
                    return { side: description.charAt(0), description, discrete: /discrete scale/.test(description),
                             values: count(description), title: axisTitle ? axisTitle.textContent : '', labels: texts(axis, 'axis-label') };
                });
            const legends = [...svg.querySelectorAll('g.role-legend')]
                .filter((legend) => legend.getAttribute('aria-label'))
                .map((legend) => ({ description: legend.getAttribute('aria-label'), values: count(legend.getAttribute('aria-label')),
                                    labels: texts(legend, 'legend-label') }));
            const bars = [...svg.querySelectorAll('g.mark-rect.role-mark path')].map(box);
            // What of the chart can be seen: the SVG cut to every ancestor that clips its overflow.
            let seen = box(svg);
            for (let node = svg.parentElement; node && node !== document.body; node = node.parentElement) {
                // Up to the page's content: the scrolling page around it shows all of it in turn.
                if (node.getAttribute('data-testid') === 'stMainBlockContainer') break;
                const style = getComputedStyle(node);
                if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
                const clip = box(node);
                const x = Math.max(seen.x, clip.x), y = Math.max(seen.y, clip.y);
                seen = { x, y, width: Math.max(0, Math.min(seen.x + seen.width, clip.x + clip.width) - x),
                         height: Math.max(0, Math.min(seen.y + seen.height, clip.y + clip.height) - y) };
            }
            return { title: title ? title.textContent : '', titleBox: title ? box(title) : null, box: seen, axes, legends, bars };
        });
})()`;

export async function drawnCharts(page: Page): Promise<DrawnChart[]> {
    return await page.evaluate(PROBE) as DrawnChart[];
}

/** The smallest bar thickness a categorical bar chart must draw, in pixels. */
export const MIN_CATEGORY_BAR_PX = 12;
/** A time chart's bar must fill at least this share of its bucket's width. */
export const MIN_BUCKET_FILL = 0.5;

/** The axis title charts.py gives each bucket unit (AXIS_TITLE there). */
export const UNIT_AXIS_TITLE: Record<string, string> = {
    minute: "minute (UTC)", hour: "hour (UTC)", day: "day (UTC)", week: "week starting (UTC)", month: "month (UTC)",
};

/** Labels a time axis of each unit may not show: ticks finer than the bucket. Vega's default
 * time labels are "06:30" (minutes), "06 PM" (hours); charts.py names days "Nov 30", weeks
 * by their first day ("Nov 30") and months "Nov 2026". */
const FINER_THAN: Record<string, RegExp | null> = {
    minute: /\d:\d\d:\d\d|\.\d{3}/,
    hour: /:\d\d/,
    day: /^(?![A-Z][a-z]{2} \d{2}$)/,
    week: /^(?![A-Z][a-z]{2} \d{2}$)/,
    month: /^(?![A-Z][a-z]{2} \d{4}$)/,
};

function overlaps(a: Box, b: Box, tolerance = 0.5): boolean {
    return a.x + a.width - tolerance > b.x && b.x + b.width - tolerance > a.x
        && a.y + a.height - tolerance > b.y && b.y + b.height - tolerance > a.y;
}

/** Whether a text's box lies within ``outer``: a text box is its line's height, taller than
 * its glyphs, so it may stick out by a third of it. */
function inside(inner: Box, outer: Box, tolerance = Math.max(1, inner.height / 3)): boolean {
    return inner.x >= outer.x - tolerance && inner.y >= outer.y - tolerance
        && inner.x + inner.width <= outer.x + outer.width + tolerance
        && inner.y + inner.height <= outer.y + outer.height + tolerance;
}

/** Vega's own truncation (labelLimit, title limit) ends the text with an ellipsis. */
function cutOff(text: string): boolean {
    return text.endsWith("…");
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Everything unreadable in one chart, as sentences naming it. ``unit`` is the bucket unit of
 * the query behind a time chart (null: the chart has no time axis).
 */
export function problems(chart: DrawnChart, unit: string | null): string[] {
    const found: string[] = [];
    const name = chart.title || "(untitled chart)";
    const say = (text: string) => found.push(`${name}: ${text}`);

    if (!chart.title) {
        say("has no title");
    } else if (cutOff(chart.title) || (chart.titleBox && !inside(chart.titleBox, chart.box))) {
        say(`title is cut off ("${chart.title}")`);
    }

    for (const axis of chart.axes.filter((a) => a.discrete && a.values !== null)) {
        const shown = axis.labels.filter((label) => label.visible);
        if (shown.length < axis.values!) {
            say(`${axis.side} axis draws ${shown.length} of its ${axis.values} category labels`);
        }
        for (const label of shown) {
            if (cutOff(label.text)) {
                say(`${axis.side} axis label "${label.text}" is cut off`);
            }
            if (!inside(label.box, chart.box)) {
                say(`${axis.side} axis label "${label.text}" lies outside the chart`);
            }
        }
        for (let i = 0; i < shown.length; i++) {
            for (let j = i + 1; j < shown.length; j++) {
                if (overlaps(shown[i].box, shown[j].box)) {
                    say(`${axis.side} axis labels "${shown[i].text}" and "${shown[j].text}" overlap`);
                }
            }
        }
    }
    for (const axis of chart.axes.filter((a) => !a.discrete)) {
        const shown = axis.labels.filter((label) => label.visible);
        for (let i = 0; i + 1 < shown.length; i++) {
            if (overlaps(shown[i].box, shown[i + 1].box)) {
                say(`${axis.side} axis labels "${shown[i].text}" and "${shown[i + 1].text}" overlap`);
            }
        }
    }

    for (const legend of chart.legends) {
        const shown = legend.labels.filter((label) => label.visible && inside(label.box, chart.box));
        if (legend.values !== null && shown.length < legend.values) {
            say(`legend shows ${shown.length} of its ${legend.values} entries`);
        }
        for (const label of shown.filter((l) => cutOff(l.text))) {
            say(`legend entry "${label.text}" is cut off`);
        }
    }

    const categoryAxis = chart.axes.find((a) => a.discrete && a.side === "Y");
    const timeAxis = unit === null ? undefined : chart.axes.find((a) => a.side === "X");
    if (categoryAxis && chart.bars.length) {
        const thinnest = Math.min(...chart.bars.map((bar) => bar.height));
        if (thinnest < MIN_CATEGORY_BAR_PX) {
            say(`bars are ${thinnest.toFixed(1)} px thick, under ${MIN_CATEGORY_BAR_PX} px`);
        }
    }
    if (unit !== null) {
        if (!timeAxis) {
            say("has no time axis");
            return found;
        }
        if (timeAxis.title !== UNIT_AXIS_TITLE[unit]) {
            say(`time axis is titled "${timeAxis.title}", not "${UNIT_AXIS_TITLE[unit]}" for ${unit} buckets`);
        }
        const finer = FINER_THAN[unit];
        for (const label of timeAxis.labels.filter((l) => l.visible)) {
            if (finer && finer.test(label.text)) {
                say(`time axis label "${label.text}" is not a ${unit}`);
            }
        }
        const bars = chart.bars.filter((bar) => bar.width > 0);
        const bucket = bucketWidth(timeAxis, unit, bars);
        if (bars.length && bucket !== null) {
            const thinnest = Math.min(...bars.map((bar) => bar.width));
            if (thinnest < MIN_BUCKET_FILL * bucket) {
                say(`bars are ${thinnest.toFixed(1)} px wide in ${bucket.toFixed(1)} px buckets: they do not span their ${unit}`);
            }
        }
    }
    return found;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** What a time-axis label says, as minutes on a cycle: a 12-hour clock for minute units, a day
 * for hour units, a year for day units; null for a label of another grain. Vega's default time
 * labels are "06:30" (minutes), "06 PM" (hours) and "Tue 01" (midnight), which is minute 0 of
 * the clock or the day and, between two of them, a week apart at most; charts.py names days
 * "Nov 30". */
function labelTime(text: string, unit: string): { minutes: number; weekday: number | null } | null {
    const clock = /^(\d\d):(\d\d)$/.exec(text);
    const hour = /^(\d\d) (AM|PM)$/.exec(text);
    const midnight = /^([A-Z][a-z]{2}) \d\d$/.exec(text);
    if (unit === "minute" && clock) {
        return { minutes: (Number(clock[1]) % 12) * 60 + Number(clock[2]), weekday: null };
    }
    if ((unit === "minute" || unit === "hour") && hour) {
        return { minutes: ((Number(hour[1]) % 12) + (hour[2] === "PM" ? 12 : 0)) * 60, weekday: null };
    }
    if ((unit === "minute" || unit === "hour") && midnight && WEEKDAYS.includes(midnight[1])) {
        return { minutes: 0, weekday: WEEKDAYS.indexOf(midnight[1]) };
    }
    if (unit === "day" && midnight) {
        const date = Date.parse(`${text}, 2001 00:00:00 UTC`);
        return Number.isNaN(date) ? null : { minutes: (date - Date.UTC(2001, 0, 1)) / 60_000, weekday: null };
    }
    return null;
}

const UNIT_MINUTES: Record<string, number> = { minute: 1, hour: 60, day: 1440 };
/** How far label values wrap around: a 12-hour clock, a day, a year. */
const LABEL_CYCLE_MINUTES: Record<string, number> = { minute: 720, hour: 1440, day: 365 * 1440 };

/** Minutes from one tick label to the next (null: the labels do not say). */
function minutesBetween(a: { minutes: number; weekday: number | null }, b: { minutes: number; weekday: number | null },
                        unit: string): number | null {
    if (a.weekday !== null && b.weekday !== null) {
        return (((b.weekday - a.weekday) % 7) + 7) % 7 * 1440 || null;
    }
    const cycle = LABEL_CYCLE_MINUTES[unit];
    return (((b.minutes - a.minutes) % cycle) + cycle) % cycle || null;
}

/**
 * The width in pixels of one bucket of a time chart. On a continuous axis (minute, hour, day) it
 * is the axis's own scale, read from its tick labels: pixels between two ticks over the time
 * between them. Neighbouring bars are no measure there, since a sparse window (data in every
 * other minute) puts them two buckets apart. A label is centred on its tick, except one that
 * charts.py's labelFlush aligns with an end of the axis, so the first and last are left out
 * when there are others (two labels a whole axis apart are off by a few per cent at most). On
 * a banded axis (week, month) every bucket with data is one band, so neighbouring bars'
 * distance is the band.
 */
function bucketWidth(axis: DrawnAxis, unit: string, bars: Box[]): number | null {
    if (unit in UNIT_MINUTES) {
        const shown = axis.labels.filter((label) => label.visible);
        const ticks = (shown.length > 2 ? shown.slice(1, -1) : shown).map((label) => ({
            time: labelTime(label.text, unit), x: label.box.x + label.box.width / 2,
        }));
        const scales = ticks.slice(1).map((tick, i) => {
            const before = ticks[i];
            const minutes = tick.time && before.time ? minutesBetween(before.time, tick.time, unit) : null;
            return minutes ? (tick.x - before.x) / minutes : NaN;
        }).filter((pxPerMinute) => Number.isFinite(pxPerMinute) && pxPerMinute > 0);
        return scales.length ? median(scales) * UNIT_MINUTES[unit] : null;
    }
    const starts = [...new Set(bars.map((bar) => Math.round(bar.x * 10) / 10))].sort((a, b) => a - b);
    return starts.length > 1 ? median(starts.slice(1).map((x, i) => x - starts[i])) : null;
}
