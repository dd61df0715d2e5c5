// workbench.js - 工作台: the queues each role works from.
import { get, qs } from "../api.js";
import { h, clear, fmtTime, lightBadge, statusBadge, remainingText, governingClock, loading, empty, errorBox } from "../ui.js";

function queues(user) {
  switch (user.role) {
    case "operator":
      return [
        { title: "待立案", q: { status: "reported" } },
        { title: "待派遣", q: { status: "registered" } },
        { title: "待核查", q: { status: "handled" } },
        { title: "超期", q: { light: "overdue", open: "true" } },
        { title: "申请重新办理", q: { reopen_requested: "true" } },
      ];
    case "handler":
      return [
        { title: "待签收", q: { status: "dispatched", handling_unit: user.unit } },
        { title: "处置中", q: { status: "accepted", handling_unit: user.unit } },
        { title: "返工", q: { status: "dispatched", handling_unit: user.unit }, filter: (c) => c.rework_count > 0 },
      ];
    case "leader":
      return [
        { title: "督办", q: { supervised: "true", open: "true" } },
        { title: "红灯", q: { light: "red", open: "true" } },
        { title: "超期", q: { light: "overdue", open: "true" } },
      ];
    case "reporter":
      return [
        { title: "我的上报", q: { mine: "true" } },
        { title: "待核查", q: { status: "handled" } },
      ];
    case "public":
      return [{ title: "我的上报", q: { mine: "true" } }];
    default:
      return [
        { title: "超期", q: { light: "overdue", open: "true" } },
        { title: "最近上报", q: {} },
      ];
  }
}

function row(c) {
  const clock = governingClock(c);
  return h("li.case-row",
    h("a", { href: `#/cases/${c.id}` },
      h("span.num", c.number),
      h("span.title", c.title),
      h("span.meta", statusBadge(c.status, c.status_label), " ",
        lightBadge(c.light, clock ? remainingText(clock) : ""), " ", h("time", fmtTime(c.created_at)))));
}

async function fill(card, user, qdef) {
  const body = card.querySelector(".queue-body");
  const count = card.querySelector(".count");
  try {
    const r = await get("/api/v1/cases" + qs({ ...qdef.q, limit: 200 }));
    let items = r.items;
    if (qdef.filter) items = items.filter(qdef.filter);
    count.textContent = items.length + (r.next_cursor && !qdef.filter ? "+" : "");
    clear(body, items.length ? h("ul.case-rows", items.slice(0, 8).map(row)) : empty("没有待办案件"));
  } catch (e) {
    count.textContent = "!";
    clear(body, errorBox(e));
  }
}

export async function workbench(el, user) {
  const list = queues(user);
  clear(el, h("h1", "工作台"),
    h("div.queues", list.map((q) => {
      const link = "#/cases" + qs(q.q);
      const card = h("section.card.queue", { "aria-label": q.title },
        h("header", h("h2", q.title, " ", h("span.count", "…")), q.filter ? null : h("a.more", { href: link }, "查看全部")),
        h("div.queue-body", loading()));
      return card;
    })));
  const cards = el.querySelectorAll(".queue");
  await Promise.all(list.map((q, i) => fill(cards[i], user, q)));
}
