/** The event map both compile-time suites type: the server's sends and the page's listeners. */
export interface Order {
  id: number;
  item: string;
}

export interface OrderEvents {
  new_order: Order;
  connected: string;
}
