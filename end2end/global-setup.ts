// Waits until the server answers /readyz (it may be migrating and seeding).
export default async function globalSetup() {
  const baseURL = process.env.PROMOCODES_BASE_URL ?? 'http://127.0.0.1:3000';
  const deadline = Date.now() + 180_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${baseURL}/readyz`);
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the server at ${baseURL} did not become ready: ${last}`);
}
