"""The disclosure engine: the one place that decides which figures leave the server.

- `atoms`: the invariant (every atom of a viewer's released sets covers 0 or at least k
  responses), which makes every figure anyone can derive cover 0 or at least k responses.
- `plan`: the decisions for one viewer and scope, in a fixed priority order.
- `release`: what a released figure looks like (rounded at release), counts shown as bands
  where the figures are not, and the words for why something is hidden.

Pure Python: no database and no Django. `diagnostics.results` feeds it counts and applies it.
"""
