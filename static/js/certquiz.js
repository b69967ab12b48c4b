// CertQuiz: progressive enhancement only; every page works without JavaScript.
