// What a merchant page loads for a Braintree drop-in (card form).
import dropin from 'braintree-web-drop-in';
window.startDropin = (options) => dropin.create(options);
