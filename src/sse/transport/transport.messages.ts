/** What the built-in transports say when they refuse. */
export const TRANSPORT_MESSAGES = {
  sendAfterClose: (transport: string, channel: string) =>
    `${transport} is closed (the application is shutting down), so this send to channel "${channel}" ` +
    `was refused: nobody will receive it.`,
  readAfterClose: (transport: string) =>
    `${transport} is closed (the application is shutting down), so its history cannot be read.`,
};
