// drafts.js - form input survives a session expiry: a form registers
// itself under a key; on 401 every registered form is saved to
// sessionStorage, and restored when the form is built again after login.

const PREFIX = "bihuan.draft.";
const live = new Map(); // key -> form element

export const drafts = {
  // Track 'form' under 'key' and fill it from a saved draft, if any.
  attach(key, form) {
    live.set(key, form);
    const saved = sessionStorage.getItem(PREFIX + key);
    if (!saved) return false;
    try {
      const values = JSON.parse(saved);
      for (const [name, value] of Object.entries(values)) {
        const el = form.elements.namedItem(name);
        if (el && "value" in el && el.type !== "file") el.value = value;
      }
    } catch {
      /* a broken draft is dropped */
    }
    sessionStorage.removeItem(PREFIX + key);
    return true;
  },
  // Is there a saved draft for 'key'?
  has(key) {
    return sessionStorage.getItem(PREFIX + key) !== null;
  },
  detach(key) {
    live.delete(key);
    sessionStorage.removeItem(PREFIX + key);
  },
  saveAll() {
    for (const [key, form] of live) {
      if (!form.isConnected) continue;
      const values = {};
      // a chosen file cannot be kept (nor set again): it is chosen anew
      for (const el of form.elements) if (el.name && el.type !== "password" && el.type !== "submit" && el.type !== "file") values[el.name] = el.value;
      sessionStorage.setItem(PREFIX + key, JSON.stringify(values));
    }
  },
};
