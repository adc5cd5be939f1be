import './styles.css';
import './components/chat-app.js';
