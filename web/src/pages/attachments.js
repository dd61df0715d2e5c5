// attachments.js - evidence on a case: the photos and files attached, each
// with its stage, when and where it was taken (the EXIF the server read;
// where only for the roles that may see it), and a form to upload one.
// The bytes go as they are (POST …/attachments?stage=&name=): the server
// decides what a file is from its content.
import { api } from "../api.js";
import { h, field, select, showFormError, toast, fmtTime } from "../ui.js";

export const STAGE = { before: "处置前", after: "处置后", other: "其他" };
const KIND = { jpeg: "JPEG 图片", png: "PNG 图片", webp: "WebP 图片", mp4: "MP4 视频", pdf: "PDF 文档" };
const ACCEPT = "image/jpeg,image/png,image/webp,video/mp4,application/pdf";

// Upload one file: to a case, or (caseId null) ahead of the report that
// will name it.  Resolves to the attachment.
export function uploadFile(file, stage, caseId) {
  const q = new URLSearchParams({ stage, name: file.name || "" });
  const path = caseId ? `/api/v1/cases/${caseId}/attachments` : "/api/v1/attachments";
  return api("POST", `${path}?${q}`, file);
}

function figure(a) {
  const meta = [STAGE[a.stage] || a.stage, a.name || KIND[a.type] || a.type];
  const place = a.location ? `拍摄位置 ${a.location.lat.toFixed(5)}, ${a.location.lng.toFixed(5)}` : null;
  return h("figure.attachment", { dataset: { attachment: String(a.id), stage: a.stage } },
    h("a", { href: a.url, target: "_blank", rel: "noopener" },
      a.thumbnail_url ? h("img", { src: a.thumbnail_url, alt: `${STAGE[a.stage] || ""}照片：${a.name || a.id}`, loading: "lazy" })
        : h("span.file-kind", KIND[a.type] || a.type)),
    h("figcaption",
      h("strong", meta.join(" · ")),
      a.taken_at ? h("div.taken", `拍摄于 ${fmtTime(a.taken_at)}`) : null,
      place ? h("div.place", place) : null,
      h("div.muted", `${a.uploaded_by} 上传于 ${fmtTime(a.at)}`)));
}

// The card: the list, and the upload form when the user may add to the case.
export function attachmentsCard(c, onUploaded) {
  const list = c.attachments || [];
  const file = h("input", { type: "file", accept: ACCEPT, required: true });
  const stage = select(Object.entries(STAGE), c.status === "accepted" || c.status === "dispatched" ? "after" : "before");
  const form = h("form.attach-form", { "aria-label": "上传证据" },
    field("文件", file, { name: "file", hint: "照片（JPEG、PNG、WebP ≤ 20 MB）、视频（MP4 ≤ 200 MB）或 PDF" }),
    field("阶段", stage, { name: "stage" }),
    h("div.form-error", { role: "alert" }),
    h("div.filter-actions", h("button.primary", { type: "submit" }, "上传")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const btn = form.querySelector("button[type=submit]");
    if (!file.files.length) {
      showFormError(form, { field: "file", message: "请选择文件" });
      return;
    }
    btn.disabled = true;
    try {
      await uploadFile(file.files[0], stage.value, c.id);
      toast("已上传");
      await onUploaded();
    } catch (e) {
      showFormError(form, e);
    } finally {
      btn.disabled = false;
    }
  });
  const body = h("div.attachments", list.length ? list.map(figure) : h("p.muted", "还没有照片或附件。"));
  return h("section.card", { "aria-labelledby": "att-title" },
    h("h2#att-title", `证据照片与附件（${list.length}）`), body, form);
}
