// notifications.js - 系统管理 › 通知 (#/admin/notifications): who is told
// what (the channels and rules of the notifications document), the outbox
// with what was sent, what waits for its next try and what was given up
// (dead letters, sent again from here), and the document itself, edited
// as a whole: an error names the entry and field it is in.
import { api, get, post, qs } from "../api.js";
import { h, clear, empty, field, toast, fmtTime, submitForm } from "../ui.js";

const KIND = { webhook: "通用 Webhook", wecom: "企业微信群机器人", dingtalk: "钉钉群机器人", email: "电子邮件" };
const EVENT = { dispatch: "派遣", red_light: "红灯", overdue: "超期", supervise: "督办", red_card: "红牌", major_hazard: "挂牌督办" };
const STATUS = [["", "全部"], ["pending", "待发送"], ["sent", "已发送"], ["dead", "已放弃"]];
const STATUS_LABEL = Object.fromEntries(STATUS.filter(([k]) => k));

function channelsCard(doc) {
  const rules = (key) => doc.rules.filter((r) => r.channels.includes(key))
    .map((r) => EVENT[r.event] + (r.categories ? `（${r.categories.join("、")}）` : "")).join("、");
  return h("section.card", { "aria-labelledby": "nt-channels" }, h("h2#nt-channels", "通道与规则"),
    doc.channels.length
      ? h("div.table-wrap", h("table.notify-channels",
        h("thead", h("tr", ["通道", "类型", "范围", "接收的通知"].map((x) => h("th", { scope: "col" }, x)))),
        h("tbody", doc.channels.map((c) => h("tr", { dataset: { channel: c.key } },
          h("th", { scope: "row" }, c.name || c.key, h("span.muted", ` ${c.key}`)),
          h("td", (KIND[c.type] || c.type) + (c.type === "dingtalk" && c.secret ? "（加签）" : "")),
          h("td", c.unit || "全区"), h("td", rules(c.key) || h("span.muted", "没有规则用它")))))))
      : empty("还没有通道：在下方的通知配置中添加企业微信、钉钉、Webhook 或邮件通道，再用规则说明哪些事件发给谁。"));
}

// The outbox, a page of it: 'cursor' the id the page starts below.  A
// retry redraws this card only (an edit in the document below is kept).
async function outboxCard(status, cursor) {
  const card = h("section.card", { "aria-labelledby": "nt-outbox" });
  const list = await get("/api/v1/notifications" + qs({ status, limit: 100, cursor }));
  const row = (n) => {
    const retry = n.status === "dead" ? h("button", { type: "button" }, "重发") : null;
    retry?.addEventListener("click", async () => {
      retry.disabled = true;
      try {
        await post(`/api/v1/notifications/${n.id}/retry`);
        toast(`通知 ${n.id} 已重新排队发送`);
        card.replaceWith(await outboxCard(status, cursor));
      } catch (e) {
        toast(e.message, "error");
        retry.disabled = false;
      }
    });
    return h("tr", { dataset: { notice: String(n.id), status: n.status } },
      h("td", fmtTime(n.created_at)), h("td", n.event_label || n.event),
      h("td", n.channel_name || n.channel),
      h("th", { scope: "row" }, h("details", h("summary", n.subject), h("pre.notice-text", n.text))),
      h("td", h(`span.notice-status.${n.status}`, STATUS_LABEL[n.status] || n.status),
        n.status === "pending" && n.attempts ? h("div.muted", `第 ${n.attempts + 1} 次将于 ${fmtTime(n.next_at)}`) : null,
        n.status === "sent" ? h("div.muted", fmtTime(n.sent_at)) : null),
      h("td", String(n.attempts)), h("td.notice-error", n.last_error || ""), h("td", retry));
  };
  return clear(card, h("h2#nt-outbox", "发送记录"),
    h("p.notice-counts", `待发送 ${list.counts.pending} 条，已发送 ${list.counts.sent} 条，已放弃 ${list.counts.dead} 条。`,
      list.counts.dead ? "已放弃的通知在接收方恢复后可重发。" : ""),
    h("nav.tabs.small", { "aria-label": "按状态" }, STATUS.map(([k, label]) =>
      h("a", { href: "#/admin/notifications" + qs({ status: k }), "aria-current": k === status ? "page" : null }, label))),
    list.items.length
      ? h("div.table-wrap", h("table.notify-outbox",
        h("thead", h("tr", ["时间", "事件", "通道", "内容", "状态", "次数", "最近错误", ""].map((x) => h("th", { scope: "col" }, x)))),
        h("tbody", list.items.map(row))))
      : empty(status ? `没有${STATUS_LABEL[status]}的通知` : "还没有通知"),
    h("div.row", cursor ? h("a", { href: "#/admin/notifications" + qs({ status }) }, "最新的") : null,
      list.next_cursor ? h("a.more", { href: "#/admin/notifications" + qs({ status, cursor: list.next_cursor }) }, "更早的 100 条") : null));
}

function documentCard(body, text) {
  const area = h("textarea", { rows: 18, spellcheck: false, required: true }, text);
  area.value = text;
  const f = submitForm("notify-config", "通知配置", [
    field("通知配置（JSON）", area, { name: "document", hint: "通道 channels、规则 rules、重试 retry、发信服务器 smtp；格式见 docs/NOTIFICATIONS.md" }),
  ], "保存并生效", async () => {
    let doc;
    try {
      doc = JSON.parse(area.value);
    } catch (e) {
      throw Object.assign(new Error("不是有效的 JSON：" + e.message), { field: "document" });
    }
    await api("PUT", "/api/v1/notifications/config", doc);
    toast("通知配置已保存，立即生效");
    await notificationsTab(body);
  });
  return h("section.card", { "aria-labelledby": "nt-doc" }, h("h2#nt-doc", "通知配置"),
    h("p.muted", "含机器人地址和签名密钥，只有管理员可见。保存前整体校验，出错时指出出错的条目和字段，不会部分生效。"), f);
}

export async function notificationsTab(body, params = new URLSearchParams()) {
  const status = params.get("status") || "", cursor = params.get("cursor") || "";
  const [doc, outbox] = await Promise.all([get("/api/v1/notifications/config"), outboxCard(status, cursor)]);
  clear(body, channelsCard(doc), outbox, documentCard(body, JSON.stringify(doc, null, 2)));
}
