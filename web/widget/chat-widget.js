/*
 * 账期保障助手 chat widget. Embed with one tag:
 *   <script src="https://your.host/widget/chat-widget.js" data-bot-url="https://bot.host" defer></script>
 * Optional: data-open="true" (start open), data-timeout="15000" (ms to wait for a reply),
 *   data-transports="polling" (socket.io transports in order; default "websocket polling").
 *
 * Talks to the Rasa server over socket.io (vendor/socket.io.min.js, next to this file) and falls back to
 * the REST channel when socket.io cannot connect. Everything from the bot or the user is inserted as text
 * (textContent, createElement), never as HTML.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__zqbzChatWidget) return;
  window.__zqbzChatWidget = true;

  var BOT_URL = (script.getAttribute("data-bot-url") || "").replace(/\/+$/, "");
  var BASE = script.src.replace(/[^/]*$/, "");
  var REPLY_TIMEOUT_MS = parseInt(script.getAttribute("data-timeout"), 10) || 15000;
  var CONNECT_GRACE_MS = 5000;
  var RETRY_EVERY_MS = 3000;
  var QUIET_AFTER_REPLY_MS = 800;
  var KEY = "zqbz-chat:" + BOT_URL;
  var TRANSPORTS = (script.getAttribute("data-transports") || "websocket polling").split(/[\s,]+/).filter(Boolean);

  var TEXT = {
    title: "账期保障助手",
    launcher: "在线咨询",
    close: "关闭对话",
    placeholder: "输入您的问题",
    input: "输入您的问题，Enter 发送，Shift+Enter 换行",
    send: "发送",
    typing: "助手正在输入…",
    reconnecting: "连接已断开，正在重新连接…，您输入的内容会在连接恢复后发出。",
    timeout: "回复超时，请稍后重试。",
    failed: "暂时连不上服务，正在自动重试…",
    retry: "重试",
    pending: "等待发送",
    helpful: "有帮助",
    unhelpful: "没帮助",
    thanks: "谢谢反馈"
  };

  // ------------------------------------------------------------------ state
  // The conversation and the token that proves it is this browser's
  // (channels/sessions.py): made by the server, kept across reloads.
  var session = load("session", null);
  if (!(session && session.sender && session.token)) session = null;
  var socketSession = null; // the id socket.io confirmed for this connection
  var outbox = load("outbox", []); // messages typed but not yet accepted by the server
  var socket = null;
  var mode = "connecting"; // "socket" | "rest" | "connecting"
  var socketReady = false;
  var replyTimer = null;
  var lastSent = null;
  var quietTimer = null;
  var retryTimer = null;
  var composing = false;

  function load(name, fallback) {
    try {
      var raw = window.localStorage.getItem(KEY + ":" + name);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) {
      return fallback;
    }
  }

  function save(name, value) {
    try {
      window.localStorage.setItem(KEY + ":" + name, JSON.stringify(value));
    } catch (e) {
      /* private mode: the conversation just does not survive a reload */
    }
  }

  function adopt(given) {
    if (!(given && given.sender && given.token)) return session;
    session = { sender: given.sender, token: given.token };
    save("session", session);
    return session;
  }

  function forgetSession() {
    session = null;
    save("session", null);
  }

  function ensureSession() {
    if (session) return Promise.resolve(session);
    return fetchJson("/webhooks/rest/session", {}, 5000).then(adopt);
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // -------------------------------------------------------------------- DOM
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  var css = el("link");
  css.rel = "stylesheet";
  css.href = BASE + "chat-widget.css";
  document.head.appendChild(css);

  var root = el("div", "zqbz-root");
  var launcher = el("button", "zqbz-launcher", TEXT.launcher);
  launcher.type = "button";
  launcher.setAttribute("aria-controls", "zqbz-panel");
  launcher.setAttribute("aria-expanded", "false");

  var panel = el("section", "zqbz-panel");
  panel.id = "zqbz-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", TEXT.title);

  var header = el("header", "zqbz-header");
  header.appendChild(el("h2", "zqbz-title", TEXT.title));
  var closeButton = el("button", "zqbz-close", "×");
  closeButton.type = "button";
  closeButton.setAttribute("aria-label", TEXT.close);
  header.appendChild(closeButton);

  var log = el("div", "zqbz-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", TEXT.title);
  log.tabIndex = 0;

  var typing = el("div", "zqbz-typing", TEXT.typing);
  typing.setAttribute("role", "status");
  typing.hidden = true;

  var status = el("div", "zqbz-status");
  status.setAttribute("role", "alert");
  status.hidden = true;

  var form = el("form", "zqbz-form");
  var input = el("textarea", "zqbz-input");
  input.rows = 1;
  input.maxLength = 2000;
  input.placeholder = TEXT.placeholder;
  input.setAttribute("aria-label", TEXT.input);
  var sendButton = el("button", "zqbz-send", TEXT.send);
  sendButton.type = "submit";
  form.appendChild(input);
  form.appendChild(sendButton);

  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(typing);
  panel.appendChild(status);
  panel.appendChild(form);
  root.appendChild(panel);
  root.appendChild(launcher);

  function mount() {
    document.body.appendChild(root);
    if (script.getAttribute("data-open") === "true") open();
  }

  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    input.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", function () { (panel.hidden ? open : close)(); });
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") close(); });

  // -------------------------------------------------------------- rendering
  var URL_PATTERN = /https?:\/\/[^\s<>"'，。）)]+/g;

  function appendText(container, text) {
    // Plain text with line breaks kept by CSS; http(s) links become anchors.
    var last = 0;
    String(text).replace(URL_PATTERN, function (url, offset) {
      container.appendChild(document.createTextNode(text.slice(last, offset)));
      var link = el("a", null, url);
      link.href = url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      container.appendChild(link);
      last = offset + url.length;
      return url;
    });
    container.appendChild(document.createTextNode(text.slice(last)));
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function addUserMessage(text, pending) {
    var bubble = el("div", "zqbz-msg zqbz-user");
    appendText(bubble, text);
    if (pending) {
      bubble.classList.add("zqbz-pending");
      bubble.appendChild(el("span", "zqbz-pending-label", TEXT.pending));
    }
    log.appendChild(bubble);
    scrollDown();
    return bubble;
  }

  function safeImageUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }

  function addBotMessage(message, fromHistory) {
    var bubble = el("div", "zqbz-msg zqbz-bot");
    var text = typeof message.text === "string" ? message.text : "";
    if (text) {
      var body = el("div", "zqbz-text");
      appendText(body, text);
      bubble.appendChild(body);
    }
    var image = safeImageUrl(message.image) ||
      safeImageUrl(message.attachment && message.attachment.payload && message.attachment.payload.src);
    if (image) {
      var img = el("img", "zqbz-image");
      img.src = image;
      img.alt = "图片";
      img.loading = "lazy";
      bubble.appendChild(img);
    }
    var buttons = message.buttons || message.quick_replies || [];
    if (Array.isArray(buttons) && buttons.length) {
      var group = el("div", "zqbz-buttons");
      group.setAttribute("role", "group");
      buttons.forEach(function (b) {
        if (!b || typeof b.title !== "string") return;
        var button = el("button", "zqbz-choice", b.title);
        button.type = "button";
        button.addEventListener("click", function () {
          Array.prototype.forEach.call(group.querySelectorAll("button"), function (x) { x.disabled = true; });
          send(typeof b.payload === "string" ? b.payload : b.title, b.title);
        });
        group.appendChild(button);
      });
      bubble.appendChild(group);
    }
    if (text) bubble.appendChild(feedbackButtons(text));
    log.appendChild(bubble);
    if (!fromHistory) scrollDown();
  }

  function feedbackButtons(answer) {
    var group = el("div", "zqbz-feedback");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "这个回答有帮助吗");
    [["up", "👍", TEXT.helpful], ["down", "👎", TEXT.unhelpful]].forEach(function (spec) {
      var button = el("button", "zqbz-rate", spec[1]);
      button.type = "button";
      button.setAttribute("aria-label", spec[2]);
      button.setAttribute("aria-pressed", "false");
      button.setAttribute("data-rating", spec[0]);
      button.addEventListener("click", function () {
        sendFeedback(spec[0], answer, group, button);
      });
      group.appendChild(button);
    });
    return group;
  }

  function sendFeedback(rating, answer, group, button) {
    if (!session) return;
    fetchJson("/webhooks/rest/feedback", { sender: session.sender, rating: rating, message: answer })
      .then(function () {
        Array.prototype.forEach.call(group.querySelectorAll("button"), function (x) {
          x.setAttribute("aria-pressed", String(x === button));
        });
        group.setAttribute("data-sent", rating);
        group.title = TEXT.thanks;
      })
      .catch(function () { showStatus(TEXT.failed); });
  }

  function showStatus(text, retry) {
    status.textContent = text;
    if (retry) {
      var button = el("button", "zqbz-retry", TEXT.retry);
      button.type = "button";
      button.addEventListener("click", retry);
      status.appendChild(button);
    }
    status.hidden = false;
  }

  function clearStatus() {
    status.hidden = true;
    status.textContent = "";
  }

  function setTyping(on) {
    typing.hidden = !on;
    if (on) scrollDown();
  }

  // ---------------------------------------------------------------- sending
  function fetchJson(path, body, timeoutMs) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, timeoutMs || REPLY_TIMEOUT_MS);
    // ?sender= on every call lets a load balancer route one seller to one instance
    // (deploy/: hash on $arg_sender); the bot itself reads the sender from the body.
    // The token goes only in a header, never in a URL.
    var headers = body === undefined ? {} : { "Content-Type": "application/json" };
    if (session) {
      if (path.indexOf("sender=") < 0) path += (path.indexOf("?") < 0 ? "?" : "&") + "sender=" + encodeURIComponent(session.sender);
      headers["X-Session-Token"] = session.token;
    }
    return fetch(BOT_URL + path, {
      method: body === undefined ? "GET" : "POST",
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      clearTimeout(timer);
      if (response.status === 403) forgetSession(); // the server no longer knows it: a new one next time
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }, function (error) {
      clearTimeout(timer);
      throw error;
    });
  }

  function send(text, display) {
    var item = { text: text, display: display || text, id: newId() };
    item.bubble = addUserMessage(item.display, true);
    outbox.push(item);
    persistOutbox();
    flush();
  }

  function persistOutbox() {
    save("outbox", outbox.map(function (m) { return { text: m.text, display: m.display, id: m.id }; }));
  }

  function delivered(item) {
    outbox = outbox.filter(function (m) { return m.id !== item.id; });
    persistOutbox();
    if (item.bubble) {
      item.bubble.classList.remove("zqbz-pending");
      var label = item.bubble.querySelector(".zqbz-pending-label");
      if (label) label.remove();
    }
  }

  function flush() {
    if (!outbox.length) return;
    if (mode === "socket" && socketReady) {
      while (outbox.length) {
        var item = outbox[0];
        socket.emit("user_uttered", { message: item.text, session_id: socketSession, metadata: { display: item.display } });
        delivered(item);
        lastSent = item;
        waitForReply();
      }
    } else if (mode === "rest") {
      sendRest(outbox[0]);
    } else if (mode === "socket") {
      showStatus(TEXT.reconnecting);
    }
  }

  function waitForReply() {
    setTyping(true);
    clearTimeout(replyTimer);
    replyTimer = setTimeout(function () {
      setTyping(false);
      showStatus(TEXT.timeout, function () {
        clearStatus();
        if (lastSent) send(lastSent.text, lastSent.display);
      });
    }, REPLY_TIMEOUT_MS);
  }

  function onBotMessage(message) {
    clearTimeout(replyTimer);
    clearStatus();
    addBotMessage(message, false);
    clearTimeout(quietTimer);
    quietTimer = setTimeout(function () { setTyping(false); }, QUIET_AFTER_REPLY_MS);
  }

  var restBusy = false;
  function sendRest(item) {
    if (restBusy) return;
    restBusy = true;
    setTyping(true);
    ensureSession()
      .then(function (s) {
        return fetchJson("/webhooks/rest/webhook", { sender: s.sender, message: item.text, metadata: { display: item.display } });
      })
      .then(function (replies) {
        restBusy = false;
        delivered(item);
        clearStatus();
        setTyping(false);
        (Array.isArray(replies) ? replies : []).forEach(function (m) { addBotMessage(m, false); });
        flush();
      })
      .catch(function (error) {
        restBusy = false;
        setTyping(false);
        var timedOut = error && error.name === "AbortError";
        showStatus(timedOut ? TEXT.timeout : TEXT.failed, function () { clearStatus(); flush(); });
        scheduleRetry();
      });
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(function () {
      fetchJson("/webhooks/rest/", undefined, 2000).then(function () {
        clearStatus();
        flush();
      }, scheduleRetry);
    }, RETRY_EVERY_MS);
  }

  // -------------------------------------------------------------- transport
  function setMode(value) {
    mode = value;
    root.setAttribute("data-transport", value); // visible to tests and to support staff
  }

  function useRest() {
    if (mode === "socket") return;
    setMode("rest");
    if (socket) socket.close();
    flush();
  }

  function connectSocket() {
    if (typeof window.io !== "function") { useRest(); return; }
    socket = window.io(BOT_URL, {
      path: "/socket.io",
      query: session ? { sender: session.sender } : {},  // routing key for the load balancer, as above
      transports: TRANSPORTS,
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: RETRY_EVERY_MS
    });
    var grace = setTimeout(function () { if (mode === "connecting") useRest(); }, CONNECT_GRACE_MS);
    socket.on("connect", function () {
      socket.emit("session_request", session ? { session_id: session.sender, token: session.token } : {});
    });
    socket.on("session_confirm", function (confirmed) {
      clearTimeout(grace);
      if (confirmed && confirmed.session_id) {
        adopt({ sender: confirmed.session_id, token: confirmed.token });
        socketSession = confirmed.session_id;
      }
      setMode("socket");
      socketReady = true;
      clearStatus();
      flush();
    });
    socket.on("bot_uttered", onBotMessage);
    socket.on("disconnect", function () {
      socketReady = false;
      if (mode === "socket") showStatus(TEXT.reconnecting);
    });
  }

  function loadSocketIo() {
    if (typeof window.io === "function") { connectSocket(); return; }
    var tag = el("script");
    tag.src = BASE + "vendor/socket.io.min.js";
    tag.onload = connectSocket;
    tag.onerror = useRest;
    document.head.appendChild(tag);
  }

  // ------------------------------------------------------------ the start
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });

  input.addEventListener("compositionstart", function () { composing = true; });
  input.addEventListener("compositionend", function () {
    // Some browsers send the Enter that confirms a candidate right after compositionend.
    setTimeout(function () { composing = false; }, 0);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || e.shiftKey) return;
    if (e.isComposing || composing || e.keyCode === 229) return; // picking a pinyin candidate
    e.preventDefault();
    form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
  });

  function restoreHistory() {
    if (!session) return Promise.resolve(0);
    return fetchJson("/webhooks/rest/history?sender=" + encodeURIComponent(session.sender), undefined, 5000)
      .then(function (history) {
        var messages = (history && history.messages) || [];
        messages.forEach(function (m) {
          if (m.sender === "user") addUserMessage(m.text, false);
          else addBotMessage(m, true);
        });
        return messages.length;
      })
      .catch(function () { return 0; });
  }

  function start() {
    mount();
    restoreHistory().then(function () {
      var saved = outbox;
      outbox = [];
      saved.forEach(function (m) { // typed before a reload, never delivered
        m.bubble = addUserMessage(m.display, true);
        outbox.push(m);
      });
      scrollDown();
      // With a session first, the socket's URL carries ?sender= for the load balancer.
      ensureSession().catch(function () { return null; }).then(loadSocketIo);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
