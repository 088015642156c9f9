/*! <govifi-payment>: embeds the checkout widget in an iframe on the checkout origin.
 * Usage:
 *   <script src="https://CHECKOUT_ORIGIN/v1/govifi.js"></script>
 *   <govifi-payment checkout-session-id="…" client-secret="…" locale="en"></govifi-payment>
 * The credential crosses to the frame by postMessage after the frame says hello, never in a URL.
 * Events (bubbling, composed CustomEvents on the element): ready, change, quote, success, error,
 * cancel, resize. Theme: CSS custom properties named --checkout-* set on the element are forwarded.
 */
(function () {
  'use strict';
  if (window.customElements.get('govifi-payment')) return;
  var script = document.currentScript;
  var ORIGIN = script && script.src ? new URL(script.src).origin : window.location.origin;
  var EVENTS = ['ready', 'change', 'quote', 'success', 'error', 'cancel', 'resize'];
  var THEME = ['--checkout-color-bg', '--checkout-color-surface', '--checkout-color-text', '--checkout-color-muted',
    '--checkout-color-border', '--checkout-color-primary', '--checkout-color-primary-text', '--checkout-color-error',
    '--checkout-color-error-bg', '--checkout-color-success', '--checkout-radius', '--checkout-font', '--checkout-space'];

  function sessionOf(secret) {
    var i = secret ? secret.indexOf('_secret_') : -1;
    return i > 0 ? secret.slice(0, i) : null;
  }

  class GovifiPayment extends HTMLElement {
    static get observedAttributes() { return ['checkout-session-id', 'client-secret', 'locale']; }

    constructor() {
      super();
      this._onMessage = this._onMessage.bind(this);
      this._frame = null;
    }

    connectedCallback() {
      window.addEventListener('message', this._onMessage);
      this._mount();
    }

    disconnectedCallback() {
      window.removeEventListener('message', this._onMessage);
    }

    attributeChangedCallback(name, oldValue, newValue) {
      if (this._frame && oldValue !== newValue) this._mount();
    }

    _mount() {
      var secret = this.getAttribute('client-secret');
      var id = this.getAttribute('checkout-session-id') || sessionOf(secret);
      if (!id) return;
      var root = this.shadowRoot || this.attachShadow({ mode: 'open' });
      root.textContent = '';
      var style = document.createElement('style');
      style.textContent = ':host{display:block}iframe{display:block;width:100%;min-height:120px;height:420px;border:0;color-scheme:normal}';
      var frame = document.createElement('iframe');
      var locale = this.getAttribute('locale');
      frame.src = ORIGIN + '/embed/' + encodeURIComponent(id) + (locale ? '?locale=' + encodeURIComponent(locale) : '');
      frame.title = 'Secure checkout';
      frame.setAttribute('part', 'frame');
      frame.setAttribute('allow', 'payment');
      root.appendChild(style);
      root.appendChild(frame);
      this._frame = frame;
      this._sessionId = id;
    }

    _theme() {
      var css = window.getComputedStyle(this);
      var out = {};
      THEME.forEach(function (name) {
        var v = css.getPropertyValue(name).trim();
        if (v) out[name] = v;
      });
      return out;
    }

    _onMessage(event) {
      var frame = this._frame;
      if (!frame || event.source !== frame.contentWindow || event.origin !== ORIGIN) return;
      var msg = event.data;
      if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') return;
      if (msg.type === 'govifi:hello' && msg.sessionId === this._sessionId) {
        var bearer = this.getAttribute('client-secret') || this._sessionId;
        frame.contentWindow.postMessage({ type: 'govifi:credential', bearer: bearer, theme: this._theme() }, ORIGIN);
      } else if (msg.type === 'govifi:event' && EVENTS.indexOf(msg.name) >= 0) {
        if (msg.name === 'resize' && typeof msg.detail === 'object' && msg.detail && msg.detail.height > 0) {
          frame.style.height = Math.ceil(msg.detail.height) + 'px';
        }
        this.dispatchEvent(new CustomEvent(msg.name, { detail: msg.detail || {}, bubbles: true, composed: true }));
      }
    }
  }

  window.customElements.define('govifi-payment', GovifiPayment);

  /** Programmatic form: Govifi.mount(container, {clientSecret, checkoutSessionId, locale, onSuccess, onError, onEvent}). */
  window.Govifi = {
    mount: function (container, options) {
      options = options || {};
      var el = document.createElement('govifi-payment');
      if (options.checkoutSessionId) el.setAttribute('checkout-session-id', options.checkoutSessionId);
      if (options.clientSecret) el.setAttribute('client-secret', options.clientSecret);
      if (options.locale) el.setAttribute('locale', options.locale);
      EVENTS.forEach(function (name) {
        el.addEventListener(name, function (e) {
          if (name === 'success' && options.onSuccess) options.onSuccess(e.detail);
          if (name === 'error' && options.onError) options.onError(e.detail);
          if (options.onEvent) options.onEvent(name, e.detail);
        });
      });
      container.appendChild(el);
      return el;
    },
  };
})();
