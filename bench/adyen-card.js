// What a merchant page loads for an Adyen card form: the core plus the Card component.
import { AdyenCheckout, Card } from '@adyen/adyen-web';
import '@adyen/adyen-web/styles/adyen.css';
window.startCard = async (el, config) => new Card(await AdyenCheckout(config)).mount(el);
