// outbox.js - 待同步 (#/outbox): what this phone keeps to send - reports
// and check-ins made without a network - with their state; the server's
// refusal of one is shown, to fix (delete and report again) or retry.
import { h, clear, empty, toast, fmtTime } from "../ui.js";
import { list, remove, retry, sync, onSync } from "../offline.js";

const KIND = { report: "上报", checkin: "巡查登记" };

export async function outboxPage(el) {
  const status = h("p.sync-status", { role: "status", "aria-live": "polite" });
  const now = h("button.primary", { type: "button" }, "立即同步");
  const body = h("div.outbox-items");
  now.addEventListener("click", async () => {
    now.disabled = true;
    try {
      const n = await sync();
      toast(n ? `已同步 ${n} 条` : navigator.onLine ? "没有可同步的记录" : "网络未连接，联网后自动同步");
    } finally {
      now.disabled = false;
    }
  });
  async function draw() {
    const items = await list();
    clear(body, items.length
      ? h("ul.outbox", items.map((it) => {
        const del = h("button", { type: "button" }, "删除");
        del.addEventListener("click", async () => {
          if (!confirm(`删除这条未同步的${KIND[it.kind]}？删除后不会再上报。`)) return;
          await remove(it.id);
        });
        const again = it.state === "failed" ? h("button", { type: "button" }, "重试") : null;
        again?.addEventListener("click", () => retry(it.id));
        return h("li.outbox-item", { dataset: { id: it.id, kind: it.kind, state: it.state } },
          h("strong", `${KIND[it.kind] || it.kind}：${it.label || ""}`),
          h("div.muted", `${fmtTime(it.created_at)} 保存` + (it.files.length ? `，照片 ${it.files.length} 张` : "")),
          it.state === "failed" ? h("div.bad", `服务器未接受：${it.error}`) : h("div", "等待联网后发送"),
          h("div.row", again, del));
      }))
      : empty("没有待同步的记录：离线时的上报和巡查登记都已发送。"));
  }
  clear(el, h("h1", "待同步"),
    h("p", "没有网络时，上报和巡查登记保存在本机，联网后按保存的先后自动发送，每条只会登记一次。"),
    status, h("div.row", now), body);
  const off = onSync((s) => {
    if (!el.isConnected) return off();
    status.textContent = s.syncing ? "同步中…" : `${navigator.onLine ? "在线" : "离线"}：待同步 ${s.pending} 条` +
      (s.failed ? `，未被接受 ${s.failed} 条` : "") + (s.lastSync ? `；上次同步 ${fmtTime(s.lastSync)}` : "");
    if (!s.syncing) draw();
  });
}
