// cases.js - the case list: filters in the URL (so a list can be linked
// and reloaded), sortable columns, cursor paging, lights with what is left.
import { get, qs, cached } from "../api.js";
import {
  h, clear, fmtTime, lightBadge, statusBadge, remainingText, governingClock, loading, empty, errorBox,
  select, field, STATUS, LIGHT, SOURCE,
} from "../ui.js";

const FILTERS = ["unit", "status", "category", "source", "light", "from", "to", "q", "sort", "handling_unit", "mine", "open", "supervised", "reopen_requested"];

// The unit tree as indented options: district, streets, communities and
// departments (grids are many: type a grid code in the box instead).
export async function unitOptions(withBlank = "全部单位") {
  const { items } = await cached("/api/v1/units");
  const byParent = new Map();
  for (const u of items) {
    const k = u.parent || "";
    if (!byParent.has(k)) byParent.set(k, []);
    byParent.get(k).push(u);
  }
  const out = withBlank ? [["", withBlank]] : [];
  const walk = (parent, depth) => {
    for (const u of byParent.get(parent) || []) {
      if (u.type === "grid") continue;
      out.push([u.code, "\u3000".repeat(depth) + u.name + (u.type === "department" ? "（部门）" : "")]);
      walk(u.code, depth + 1);
    }
  };
  walk("", 0);
  return out;
}

export async function categoryOptions(withBlank = "全部类别") {
  const { items } = await cached("/api/v1/categories");
  return [...(withBlank ? [["", withBlank]] : []),
    ...items.map((c) => [c.code, (c.parent ? "\u3000" : "") + `${c.name}（${c.code}）`])];
}

function sortHeader(label, key, params) {
  const cur = params.get("sort") || "-created_at";
  const asc = cur === key, desc = cur === "-" + key;
  const next = desc ? key : "-" + key;
  const p = new URLSearchParams(params);
  p.set("sort", next);
  p.delete("cursor");
  return h("th", { "aria-sort": asc ? "ascending" : desc ? "descending" : "none", scope: "col" },
    h("a", { href: "#/cases?" + p.toString() }, label, asc ? " ▲" : desc ? " ▼" : ""));
}

export async function caseList(el, user, params) {
  const form = h("form.filters", { "aria-label": "筛选" });
  const v = (k) => params.get(k) || "";
  clear(el, h("h1", "案件"), form, h("div#case-results", loading()));
  const [units, cats] = await Promise.all([unitOptions(), categoryOptions()]).catch(() => [[["", "全部单位"]], [["", "全部类别"]]]);
  clear(form,
    field("单位", select(units, v("unit")), { name: "unit" }),
    field("状态", select([["", "全部状态"], ...Object.entries(STATUS)], v("status")), { name: "status" }),
    field("类别", select(cats, v("category")), { name: "category" }),
    field("来源", select([["", "全部来源"], ...Object.entries(SOURCE)], v("source")), { name: "source" }),
    field("亮灯", select([["", "全部"], ...Object.entries(LIGHT).filter(([k]) => k !== "none")], v("light")), { name: "light" }),
    field("上报日期起", h("input", { type: "date", value: v("from") }), { name: "from" }),
    field("上报日期止", h("input", { type: "date", value: v("to") }), { name: "to" }),
    field("全文检索", h("input", { type: "search", value: v("q"), placeholder: "如：井盖、占道" }), { name: "q" }),
    h("div.filter-actions",
      h("button.primary", { type: "submit" }, "查询"),
      h("a.button", { href: "#/cases" }, "重置")));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    for (const k of FILTERS) {
      const input = form.elements.namedItem(k);
      const val = input ? input.value.trim() : params.get(k);
      if (val) p.set(k, val);
    }
    location.hash = "#/cases?" + p.toString();
  });

  const results = el.querySelector("#case-results");
  const query = {};
  for (const k of FILTERS) if (params.get(k)) query[k] = params.get(k);
  if (query.sort === "relevance" && !query.q) delete query.sort;
  const cursor = params.get("cursor") || "";
  let r;
  try {
    r = await get("/api/v1/cases" + qs({ ...query, limit: 20, cursor }));
  } catch (e) {
    clear(results, errorBox(e));
    return;
  }
  if (!r.items.length) {
    clear(results, empty(cursor ? "没有更多案件" : "没有符合条件的案件"));
    return;
  }
  const table = h("table.cases",
    h("caption.sr-only", "案件列表"),
    h("thead", h("tr",
      h("th", { scope: "col" }, "编号"), h("th", { scope: "col" }, "标题"), h("th", { scope: "col" }, "类别"),
      h("th", { scope: "col" }, "来源"), h("th", { scope: "col" }, "状态"), h("th", { scope: "col" }, "亮灯 / 剩余"),
      sortHeader("上报时间", "created_at", params), sortHeader("更新时间", "updated_at", params))),
    h("tbody", r.items.map((c) => {
      const clock = governingClock(c);
      return h("tr", { dataset: { id: c.id } },
        h("td", h("a", { href: `#/cases/${c.id}` }, c.number)),
        h("td", h("a", { href: `#/cases/${c.id}` }, c.title), c.supervised ? h("span.badge.supervised", "督办") : null),
        h("td", c.category_name),
        h("td", c.source_label),
        h("td", statusBadge(c.status, c.status_label)),
        h("td", lightBadge(c.light, clock ? remainingText(clock) : "")),
        h("td", fmtTime(c.created_at)),
        h("td", fmtTime(c.updated_at)));
    })));
  const nav = h("nav.pager", { "aria-label": "翻页" });
  const stack = (params.get("back") || "").split(",").filter(Boolean);
  if (cursor) {
    const p = new URLSearchParams(params);
    const prev = stack.pop();
    if (prev && prev !== "_") p.set("cursor", prev);
    else p.delete("cursor");
    if (stack.length) p.set("back", stack.join(","));
    else p.delete("back");
    nav.append(h("a.button", { href: "#/cases?" + p.toString(), rel: "prev" }, "上一页"));
  }
  if (r.next_cursor) {
    const p = new URLSearchParams(params);
    p.set("cursor", r.next_cursor);
    p.set("back", [...(params.get("back") || "").split(",").filter(Boolean), cursor || "_"].join(","));
    nav.append(h("a.button", { href: "#/cases?" + p.toString(), rel: "next" }, "下一页"));
  }
  clear(results, h("div.table-wrap", table), nav);
}
