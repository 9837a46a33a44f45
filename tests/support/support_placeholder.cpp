// Test support lives here (child processes, HTTP client, sandbox fixture).
namespace ttlink::test {}
