// The chat workbench: one WebSocket per conversation, replies with client ids (resent after
// a reconnect, stored once by the server), input events recorded for the typing measure,
// and waiting timers computed on the server's clock. Each buyer line is confirmed to the
// server as soon as it is shown (her wait counts from then), a heartbeat finds a dead
// connection, and the connection's state is always on screen.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("workbench-data").textContent);
  var t = JSON.parse(document.getElementById("workbench-i18n").textContent);
  var root = document.getElementById("workbench");
  var offset = Date.parse(data.server_now) - Date.now();  // server clock minus ours
  function serverNow() { return Date.now() + offset; }

  var sessions = {};
  var current = null;
  var reply = document.getElementById("reply");

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function storeKey(id) { return "cs-pending-" + id; }
  function savePending(s) {
    sessionStorage.setItem(storeKey(s.info.id), JSON.stringify(Object.values(s.pending)));
  }

  data.sessions.forEach(function (info) {
    var s = { info: info, ws: null, lastSeq: 0, messages: {}, pending: {}, status: info.status,
              draft: "", events: [], hints: null, retry: 0, scored: false, endReason: "",
              heard: 0, downSince: Date.now(), serverDelayed: false, seenSent: 0, readSeq: 0 };
    (JSON.parse(sessionStorage.getItem(storeKey(info.id)) || "[]")).forEach(function (p) {
      s.pending[p.client_id] = p;  // replies not yet acknowledged before a reload
    });
    sessions[info.id] = s;
  });
  current = data.sessions[0].id;

  // ---------------------------------------------------------------- socket handling
  var HEARTBEAT_MS = 10000;   // a ping this often; the server counts a line as shown on a
  var SILENT_MS = 16000;      // socket heard from recently. Nothing heard this long: dead.
  var OFFLINE_MS = 20000;     // reconnecting this long (or the browser is offline): offline

  function finished(s) { return s.status === "ended" && s.scored; }
  var signedOut = false;  // the server ended this sign-in: no reconnecting, sign in again

  function connect(s) {
    if (s.ws || signedOut) return;
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(proto + location.host + "/ws/sessions/" + s.info.id + "/?after=" + s.lastSeq);
    s.ws = ws;
    ws.onopen = function () {
      s.retry = 0;
      s.heard = Date.now();
      s.downSince = null;
      Object.values(s.pending).forEach(function (p) { sendReply(s, p); });
      notice("");
      renderConnection();
    };
    ws.onmessage = function (event) {
      s.heard = Date.now();
      handle(s, JSON.parse(event.data));
    };
    ws.onclose = function () {
      if (s.ws !== ws) return;
      s.ws = null;
      if (s.downSince === null) s.downSince = Date.now();
      renderConnection();
      if (finished(s) || signedOut) return;
      s.retry = Math.min(s.retry + 1, 6);
      setTimeout(function () { connect(s); }, 300 * s.retry);
    };
  }

  function heartbeat() {
    Object.values(sessions).forEach(function (s) {
      var ws = s.ws;
      if (!ws || ws.readyState !== WebSocket.OPEN) return;
      if (Date.now() - s.heard > SILENT_MS) { ws.close(); return; }  // onclose reconnects
      ws.send(JSON.stringify({ type: "ping" }));
    });
    renderConnection();
  }

  // Tell the server which lines are on screen: a buyer's wait starts when she is seen.
  function confirmSeen(s) {
    if (s.lastSeq <= s.seenSent || !s.ws || s.ws.readyState !== WebSocket.OPEN) return;
    s.seenSent = s.lastSeq;
    s.ws.send(JSON.stringify({ type: "seen", seq: s.lastSeq }));
  }

  function connectionState(s) {
    if (signedOut) return "signed_out";
    if (finished(s)) return "closed";
    if (s.ws && s.ws.readyState === WebSocket.OPEN) return s.serverDelayed ? "reconnecting" : "connected";
    if (!navigator.onLine || (s.downSince !== null && Date.now() - s.downSince > OFFLINE_MS)) return "offline";
    return "reconnecting";
  }

  function renderConnection() {
    var badge = document.getElementById("connection");
    var state = connectionState(sessions[current]);
    badge.dataset.state = state;
    badge.className = "conn " + state;
    badge.textContent = state === "closed" ? "" : t["conn_" + state];
    if (state !== "connected" && state !== "closed") badge.title = sessions[current].serverDelayed ? t.serverDelayed : t.reconnecting;
    else badge.title = "";
  }

  window.addEventListener("online", function () {
    Object.values(sessions).forEach(function (s) { if (!s.ws && !finished(s)) connect(s); });
  });
  window.addEventListener("offline", renderConnection);

  function addMessage(s, m) {
    if (!m.seq || s.messages[m.seq]) return;
    m.shownAt = serverNow();  // when it reached this page, on the server's clock
    s.messages[m.seq] = m;
    // lastSeq is the last of an unbroken run: a gap means a push was lost, so ask for
    // everything after the run (duplicates are ignored above).
    while (s.messages[s.lastSeq + 1]) s.lastSeq += 1;
    if (m.seq > s.lastSeq + 1 && s.ws && s.ws.readyState === WebSocket.OPEN && !s.syncing) {
      s.syncing = true;
      setTimeout(function () {
        s.syncing = false;
        if (Object.keys(s.messages).map(Number).some(function (k) { return k > s.lastSeq + 1; }) &&
            !s.messages[s.lastSeq + 1] && s.ws && s.ws.readyState === WebSocket.OPEN) {
          s.ws.send(JSON.stringify({ type: "sync", after: s.lastSeq }));
        }
      }, 500);  // a line may just be late, not lost: give it half a second
    }
  }

  function handle(s, msg) {
    if (msg.type === "hello") {
      msg.messages.forEach(function (m) { addMessage(s, m); });
      s.status = msg.status;
      s.endReason = msg.end_reason;
      s.scored = msg.scored;
      // Replies the server already has (sent before a drop) are acknowledged by their seq.
      Object.values(s.messages).forEach(function (m) {
        if (m.client_id && s.pending[m.client_id]) delete s.pending[m.client_id];
      });
      savePending(s);
    } else if (msg.type === "message") {
      addMessage(s, msg.message);
    } else if (msg.type === "ack") {
      var p = s.pending[msg.client_id];
      if (p) {
        addMessage(s, { seq: msg.seq, role: "agent", text: p.text, at: msg.at, client_id: msg.client_id });
        delete s.pending[msg.client_id];
        savePending(s);
      }
      if (msg.hints) s.hints = msg.hints;
      if (typeof msg.step_hint === "string") s.info.step_hint = msg.step_hint;
    } else if (msg.type === "error") {
      if (msg.client_id && s.pending[msg.client_id]) {
        var failed = s.pending[msg.client_id];
        delete s.pending[msg.client_id];
        savePending(s);
        if (s.info.id === current && !reply.value) reply.value = failed.text;
      }
      notice(msg.message);
    } else if (msg.type === "ended") {
      s.status = "ended";
      s.endReason = msg.reason;
    } else if (msg.type === "scored") {
      s.scored = true;
    } else if (msg.type === "signed_out") {
      signOut(msg.message);
    } else if (msg.type === "status") {
      // The server could not reach its database for a while: lines may come late.
      s.serverDelayed = msg.server !== "ok";
    }
    confirmSeen(s);
    render();
  }

  function sendReply(s, p) {
    if (s.ws && s.ws.readyState === WebSocket.OPEN) {
      s.ws.send(JSON.stringify({ type: "reply", client_id: p.client_id, text: p.text,
                                 events: p.events, sent_t: p.sent_t }));
    }
  }

  // ---------------------------------------------------------------- input events
  var TYPES = { insertText: "insertText", insertCompositionText: "insertCompositionText",
                insertFromPaste: "insertFromPaste", insertFromDrop: "insertFromPaste",
                insertReplacementText: "insertText", insertLineBreak: "insertText" };
  reply.addEventListener("beforeinput", function (e) {
    var s = sessions[current];
    var type = TYPES[e.inputType] || (e.inputType.indexOf("delete") === 0 ? "deleteContentBackward" : null);
    if (!type) return;
    var text = e.data;
    if (text == null && e.dataTransfer) text = e.dataTransfer.getData("text/plain");
    if (text == null) text = e.inputType === "insertLineBreak" ? "\n" : "";
    s.events.push({ t: Math.round(performance.now()), type: type, data: text.slice(0, 1000) });
  });
  reply.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
  });
  document.getElementById("composer").addEventListener("submit", function (e) { e.preventDefault(); send(); });

  function send() {
    var s = sessions[current];
    var text = reply.value;
    if (!text.trim() || s.status === "ended") return;
    var p = { client_id: newId(), text: text, events: s.events, sent_t: Math.round(performance.now()) };
    s.pending[p.client_id] = p;
    savePending(s);
    s.events = [];
    reply.value = "";
    s.hints = null;
    sendReply(s, p);
    render();
  }

  // Quick phrases and product cards are inserted whole: they count as pasted, not typed.
  // 结束会话 and 转接主管 end the chat for good, so each asks for a second click (within 4 s).
  var closingButtons = [document.getElementById("transfer-chat"), document.getElementById("end-chat")];
  function resetClosing(button) {
    if (!button.dataset.label) return;
    button.textContent = button.dataset.label;
    delete button.dataset.label;
    delete button.dataset.armed;
  }
  closingButtons.forEach(function (button) {
    button.addEventListener("click", function () {
      var s = sessions[current];
      if (!button.dataset.armed) {
        closingButtons.forEach(resetClosing);
        button.dataset.label = button.textContent;
        button.dataset.armed = String(s.info.id);
        button.textContent = button.dataset.confirm;
        setTimeout(function () { resetClosing(button); }, 4000);
        return;
      }
      var armedFor = Number(button.dataset.armed);
      resetClosing(button);
      if (armedFor !== s.info.id || !s.ws || s.ws.readyState !== WebSocket.OPEN) {
        if (armedFor === s.info.id) notice(t.reconnecting);
        return;
      }
      s.ws.send(JSON.stringify({ type: "close", action: button.dataset.action }));
    });
  });

  function insertQuickPhrase(text) {
    var s = sessions[current];
    var start = reply.selectionStart, end = reply.selectionEnd;
    reply.setRangeText(text, start, end, "end");
    s.events.push({ t: Math.round(performance.now()), type: "insertQuickPhrase", data: text });
    reply.focus();
  }

  // An emoji from the picker is one character put in by hand, as a typed one is.
  function insertEmoji(text) {
    var s = sessions[current];
    reply.setRangeText(text, reply.selectionStart, reply.selectionEnd, "end");
    s.events.push({ t: Math.round(performance.now()), type: "insertText", data: text });
    reply.focus();
  }

  // ---------------------------------------------------------------- rendering
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;  // user text is always set as text, never HTML
    return node;
  }
  function notice(text) { document.getElementById("notice").textContent = text || ""; }

  function signOut(text) {
    signedOut = true;
    Object.values(sessions).forEach(function (other) { if (other.ws) other.ws.close(); });
    notice(text);
    var link = el("a", "", t.signIn);
    link.href = data.login_url + "?next=" + encodeURIComponent(location.pathname);
    link.dataset.testid = "sign-in-again";
    document.getElementById("notice").append(" ", link);
  }

  function clockTime(iso) {
    var d = new Date(iso);
    if (isNaN(d)) return "";
    return [d.getHours(), d.getMinutes(), d.getSeconds()].map(function (n) {
      return String(n).padStart(2, "0");
    }).join(":");
  }

  // Buyer lines that arrived in a conversation while another one was open.
  function unreadCount(s) {
    if (s.info.id === current) return 0;
    return ordered(s).filter(function (m) { return m.role === "buyer" && m.seq > s.readSeq; }).length;
  }

  function ordered(s) {
    return Object.keys(s.messages).map(Number).sort(function (a, b) { return a - b; })
      .map(function (k) { return s.messages[k]; });
  }

  function waitInfo(s) {
    var start = null, answered = false;
    ordered(s).forEach(function (m) {
      if (m.role === "buyer" && start === null) start = Math.max(Date.parse(m.at), m.shownAt || 0);
      if (m.role === "agent") { start = null; answered = true; }
    });
    if (Object.keys(s.pending).length) start = null;
    if (start === null || s.status === "ended") return null;
    var seconds = (serverNow() - start) / 1000;
    var target = answered ? s.info.targets.target : s.info.targets.first_target;
    var limit = answered ? s.info.targets.limit : s.info.targets.first_limit;
    return { seconds: seconds, cls: seconds >= limit ? "red" : seconds >= target ? "amber" : "" };
  }

  function renderList() {
    var list = document.getElementById("conversation-list");
    // The list is redrawn twice a second (the waits count up): a keyboard user's focus on a
    // conversation must survive the redraw.
    var focused = list.contains(document.activeElement)
      ? document.activeElement.closest("li").dataset.session : null;
    list.textContent = "";
    data.sessions.forEach(function (info) {
      var s = sessions[info.id];
      var item = el("li", info.id === current ? "current" : "");
      item.dataset.session = info.id;
      item.dataset.testid = "conversation";
      // A button, so the conversations can be reached and switched with the keyboard.
      var pick = el("button");
      pick.type = "button";
      if (info.id === current) pick.setAttribute("aria-current", "true");
      var head = el("span", "head");
      head.appendChild(el("strong", "", info.buyer.name));
      var unread = unreadCount(s);
      if (unread) {
        var badge = el("span", "unread", String(unread));
        badge.dataset.testid = "unread";
        badge.setAttribute("aria-label", t.unread.replace("{n}", unread));
        head.appendChild(badge);
      }
      pick.appendChild(head);
      pick.appendChild(el("span", "muted", info.title));
      var last = ordered(s).filter(function (m) { return m.role !== "system"; }).pop();
      if (last) {
        var preview = el("span", "preview", (last.role === "agent" ? t.you + "：" : "") + last.text.replace(/\s+/g, " "));
        preview.dataset.testid = "preview";
        pick.appendChild(preview);
      }
      var wait = waitInfo(s);
      if (s.status === "ended") pick.appendChild(el("span", "ended", t.ended));
      else if (wait) {
        var w = el("span", "wait " + wait.cls, t.waiting + " " + Math.floor(wait.seconds) + "s");
        w.dataset.testid = "wait";
        pick.appendChild(w);
      }
      item.appendChild(pick);
      item.addEventListener("click", function () { switchTo(info.id); });
      list.appendChild(item);
      if (String(info.id) === focused) pick.focus({ preventScroll: true });
    });
  }

  // Buyers send pictures, product links and orders: "[图片]", "[商品链接:cotton-shirt]" and
  // "[订单]" in a line are shown as cards, the rest as text (never as HTML).
  var CARD = /\[(图片|商品链接|订单)(?::([a-z0-9-]+))?\]/g;
  function messageText(s, text) {
    var span = el("span", "text", "");
    var last = 0;
    text.replace(CARD, function (whole, kind, slug, at) {
      if (at > last) span.appendChild(document.createTextNode(text.slice(last, at)));
      span.appendChild(card(s, kind, slug));
      last = at + whole.length;
      return whole;
    });
    if (last < text.length) span.appendChild(document.createTextNode(text.slice(last)));
    return span;
  }
  function card(s, kind, slug) {
    var box = el("span", "card-token", "");
    box.dataset.testid = "card";
    if (kind === "图片") {
      box.dataset.kind = "image";
      box.appendChild(el("span", "card-icon", "🖼"));
      box.appendChild(el("span", "", t.cardImage));
    } else if (kind === "订单") {
      box.dataset.kind = "order";
      var order = s.info.order;
      box.appendChild(el("span", "card-icon", "🧾"));
      box.appendChild(el("span", "", t.cardOrder + (order ? " " + order.number + " · " + order.status : "")));
    } else {
      box.dataset.kind = "product";
      var product = (s.info.products || []).filter(function (p) { return p.slug === slug; })[0]
        || (s.info.products || [])[0];
      box.appendChild(el("span", "card-icon", "🛍"));
      box.appendChild(el("span", "", product ? product.name + " · ¥" + product.price : t.cardProduct));
    }
    return box;
  }

  function renderChat() {
    var s = sessions[current];
    s.readSeq = Math.max(s.readSeq, s.lastSeq);
    document.getElementById("chat-title").textContent = s.info.buyer.name + " · " + s.info.title;
    document.getElementById("chat-version").textContent = t.version.replace("{n}", s.info.version);
    var state = document.getElementById("chat-state");
    state.textContent = "";
    if (s.status === "ended") {
      state.textContent = { buyer_left: t.left, time_up: t.timeUp, transferred: t.transferred,
                            agent_ended: t.agentEnded }[s.endReason] || t.ended;
      if (s.scored) {
        var link = el("a", "", " · " + t.reportReady);
        link.href = root.dataset.reportUrl.replace("/0/", "/" + s.info.id + "/");
        link.dataset.testid = "report-link";
        state.appendChild(link);
      } else state.appendChild(el("span", "", " · " + t.scoring));
    }
    var box = document.getElementById("messages");
    var atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    box.textContent = "";
    ordered(s).forEach(function (m) {
      var div = el("div", "msg " + m.role);
      div.dataset.testid = "message";
      div.dataset.seq = m.seq;
      if (m.role !== "system") {
        var who = el("span", "who", (m.role === "agent" ? t.you : t.buyer) + " · ");
        var time = el("time", "", clockTime(m.at));
        time.dateTime = m.at;
        time.dataset.testid = "message-time";
        who.appendChild(time);
        div.appendChild(who);
      }
      div.appendChild(messageText(s, m.text));
      box.appendChild(div);
    });
    Object.values(s.pending).forEach(function (p) {
      var div = el("div", "msg agent pending");
      div.dataset.testid = "pending";
      div.appendChild(el("span", "who", t.you + " · " + t.sending));
      div.appendChild(el("span", "text", p.text));
      box.appendChild(div);
    });
    if (atBottom) box.scrollTop = box.scrollHeight;
    var hints = document.getElementById("hints");
    hints.textContent = "";
    if (s.hints) {
      hints.appendChild(el("strong", "", t.hintsTitle + "："));
      if (!s.hints.length) hints.appendChild(el("span", "ok", t.noHits));
      s.hints.forEach(function (h) {
        var line = el("div", "hit", (h.name || h.rule) + " — " + h.suggestion);
        line.dataset.testid = "hint";
        hints.appendChild(line);
      });
    }
    var stepHint = document.getElementById("step-hint");
    var hintText = s.status === "ended" ? "" : (s.info.step_hint || "");
    stepHint.textContent = hintText ? t.stepHint + "：" + hintText : "";
    stepHint.hidden = !hintText;
    closingButtons.forEach(function (button) {
      button.disabled = s.status === "ended" || signedOut;
      if (button.disabled) resetClosing(button);
    });
    reply.disabled = s.status === "ended" || signedOut;
    document.getElementById("send").disabled = s.status === "ended" || signedOut;
  }

  function renderProfile() {
    var info = sessions[current].info;
    var buyer = document.getElementById("buyer-panel");
    buyer.textContent = "";
    buyer.appendChild(el("h3", "", t.buyer + "：" + info.buyer.name));
    var facts = [info.buyer.age_group, info.buyer.member_level];
    if (info.buyer.orders_in_shop != null) facts.push(t.ordersInShop.replace("{n}", info.buyer.orders_in_shop));
    facts = facts.filter(Boolean);
    if (facts.length) {
      var line = el("div", "muted", facts.join(" · "));
      line.dataset.testid = "buyer-facts";
      buyer.appendChild(line);
    }
    if (info.buyer.tags.length) {
      var tags = el("div", "buyer-tags");
      info.buyer.tags.forEach(function (tag) { tags.appendChild(el("span", "buyer-tag", tag)); });
      tags.dataset.testid = "buyer-tags";
      buyer.appendChild(tags);
    }
    var order = document.getElementById("order-panel");
    order.textContent = "";
    if (info.order) {
      order.appendChild(el("h3", "", t.order + " " + info.order.number));
      order.appendChild(el("div", "", info.order.status));
      (info.order.items || []).forEach(function (item) {
        order.appendChild(el("div", "muted", (item.product_name || item.product) + (item.sku ? " · " + item.sku : "") + " × " + (item.quantity || 1)));
      });
      if (info.order.address) order.appendChild(el("div", "muted", info.order.address));
    }
    var products = document.getElementById("product-panel");
    products.textContent = "";
    products.appendChild(el("h3", "", t.products));
    info.products.forEach(function (p) {
      var block = el("div", "product");
      block.appendChild(el("strong", "", p.name + " ¥" + p.price));
      if (p.materials) block.appendChild(el("div", "muted", p.materials));
      var variants = el("div", "muted");
      variants.textContent = p.variants.map(function (v) {
        return v.label + " " + (v.stock ? t.stock + " " + v.stock : t.soldOut);
      }).join("；");
      block.appendChild(variants);
      var share = el("button", "secondary small", t.sendProduct);
      share.type = "button";
      share.dataset.testid = "send-product";
      share.setAttribute("aria-label", t.sendProduct + "：" + p.name);
      share.addEventListener("click", function () { insertQuickPhrase("[商品链接:" + p.slug + "]"); });
      block.appendChild(share);
      products.appendChild(block);
    });
  }

  // Quick phrases, each with the group it is listed under ("" for none). In the editor a
  // line "# 问候" starts a group; the lines after it are its phrases.
  var phrases = data.quick_phrases.slice();
  var groups = data.quick_groups.slice();
  function renderQuick() {
    var list = document.getElementById("quick-list");
    list.textContent = "";
    var heading = null, lines = [];
    phrases.forEach(function (text, index) {
      var group = groups[index] || "";
      if (group !== heading) {
        heading = group;
        if (group) {
          var head = el("li", "quick-group", group);
          head.dataset.testid = "quick-group";
          list.appendChild(head);
        }
        if (group || index) lines.push("# " + (group || "—"));
      }
      lines.push(text);
      var item = el("li");
      var button = el("button", "", text);
      button.type = "button";
      button.addEventListener("click", function () { insertQuickPhrase(text); });
      item.appendChild(button);
      list.appendChild(item);
    });
    document.getElementById("quick-edit").value = lines.join("\n");
  }
  function parseQuick(text) {
    var parsed = { phrases: [], groups: [] }, group = "";
    text.split("\n").map(function (x) { return x.trim(); }).filter(Boolean).forEach(function (line) {
      if (line.charAt(0) === "#") {
        group = line.slice(1).trim();
        if (group === "—") group = "";
      } else {
        parsed.phrases.push(line);
        parsed.groups.push(group);
      }
    });
    return parsed;
  }
  // Typing "/" and a few characters at the start of the reply lists the quick phrases that
  // contain them; Enter or a click puts the chosen one in place of what was typed.
  var finder = document.getElementById("phrase-finder");
  var found = [], chosen = 0;
  function findPhrases() {
    var value = reply.value;
    var query = value.charAt(0) === "/" && value.indexOf("\n") < 0 ? value.slice(1).trim() : null;
    found = query === null ? [] : phrases.filter(function (text, index) {
      return text.indexOf(query) >= 0 || (query && (groups[index] || "").indexOf(query) >= 0);
    });
    chosen = Math.min(chosen, Math.max(0, found.length - 1));
    finder.textContent = "";
    finder.hidden = query === null;
    reply.setAttribute("aria-expanded", String(query !== null));
    if (query === null) return;
    if (!found.length) { finder.appendChild(el("li", "muted", t.noPhrase)); return; }
    found.forEach(function (text, index) {
      var item = el("li", index === chosen ? "chosen" : "", text);
      item.id = "phrase-" + index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", String(index === chosen));
      item.dataset.testid = "found-phrase";
      item.addEventListener("mousedown", function (e) { e.preventDefault(); usePhrase(index); });
      finder.appendChild(item);
    });
    reply.setAttribute("aria-activedescendant", "phrase-" + chosen);
  }
  function usePhrase(index) {
    var s = sessions[current];
    var typed = reply.value;
    // What was typed to search is taken out again, as deleting it by hand would be.
    for (var i = 0; i < typed.length; i++) {
      s.events.push({ t: Math.round(performance.now()), type: "deleteContentBackward", data: "" });
    }
    reply.value = "";
    insertQuickPhrase(found[index]);
    findPhrases();
  }
  reply.addEventListener("input", findPhrases);
  reply.addEventListener("keydown", function (e) {
    if (finder.hidden || !found.length) {
      if (e.key === "Escape" && !finder.hidden) { finder.hidden = true; }
      return;
    }
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      chosen = (chosen + (e.key === "ArrowDown" ? 1 : found.length - 1)) % found.length;
      findPhrases();
    } else if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      e.stopImmediatePropagation();  // the phrase is put in, not sent
      usePhrase(chosen);
    } else if (e.key === "Escape") {
      finder.hidden = true;
    }
  }, true);

  // The emoji picker: a few faces and gestures agents use, one click each.
  var EMOJI = ["😊", "😄", "🙏", "👍", "🌹", "❤️", "🎉", "🤝", "😅", "😢", "👌", "💐"];
  var emojiButton = document.getElementById("emoji-toggle");
  var emojiBox = document.getElementById("emoji-picker");
  EMOJI.forEach(function (face) {
    var button = el("button", "", face);
    button.type = "button";
    button.dataset.testid = "emoji";
    button.setAttribute("aria-label", face);
    button.addEventListener("click", function () { insertEmoji(face); closeEmoji(); });
    emojiBox.appendChild(button);
  });
  function closeEmoji() { emojiBox.hidden = true; emojiButton.setAttribute("aria-expanded", "false"); }
  emojiButton.addEventListener("click", function () {
    emojiBox.hidden = !emojiBox.hidden;
    emojiButton.setAttribute("aria-expanded", String(!emojiBox.hidden));
    if (!emojiBox.hidden) emojiBox.querySelector("button").focus();
  });
  emojiBox.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { closeEmoji(); emojiButton.focus(); }
  });

  // Alt+↑ / Alt+↓ switch to the conversation above or below, Alt+1…9 to the one at that place.
  document.addEventListener("keydown", function (e) {
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    var ids = data.sessions.map(function (info) { return info.id; });
    var at = ids.indexOf(current), to = null;
    if (e.key === "ArrowDown") to = ids[(at + 1) % ids.length];
    else if (e.key === "ArrowUp") to = ids[(at + ids.length - 1) % ids.length];
    else if (/^Digit[1-9]$/.test(e.code)) to = ids[Number(e.code.slice(5)) - 1];
    if (to == null) return;
    e.preventDefault();
    if (to !== current) switchTo(to);
    reply.focus();
  });

  document.getElementById("quick-save").addEventListener("click", function () {
    var wanted = parseQuick(document.getElementById("quick-edit").value);
    var token = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1];
    fetch(root.dataset.quickUrl, { method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": decodeURIComponent(token || "") },
      body: JSON.stringify(wanted) })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (res.ok) { phrases = res.body.phrases; groups = res.body.groups; renderQuick(); notice(""); }
        else notice(res.body.detail || "");
      });
  });

  function switchTo(id) {
    var s = sessions[current];
    s.draft = reply.value;
    current = id;
    reply.value = sessions[id].draft || "";
    findPhrases();
    render();
    renderProfile();
  }

  function render() { renderList(); renderChat(); renderConnection(); }

  function tick() {
    var clock = document.getElementById("time-left");
    // The clock stops when every conversation has ended: nothing is left to time.
    if (Object.values(sessions).every(function (s) { return s.status === "ended"; })) {
      clock.textContent = t.clockStopped;
      clock.dataset.state = "stopped";
    } else {
      var left = Math.max(0, Math.round((Date.parse(data.deadline_at) - serverNow()) / 1000));
      clock.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    }
    renderList();
  }

  data.sessions.forEach(function (info) { connect(sessions[info.id]); });
  render();
  renderProfile();
  renderQuick();
  setInterval(tick, 500);
  setInterval(heartbeat, HEARTBEAT_MS);
  tick();
})();
