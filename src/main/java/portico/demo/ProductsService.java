package portico.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;

/** The catalogue, read-only; {@code GET /products?category=books} filters, ignoring case. */
final class ProductsService {
    static final String NAME = "products";

    private final ArrayNode products;

    ProductsService(ArrayNode products) {
        this.products = products;
    }

    JsonRouter router() {
        return new JsonRouter(NAME, List.of(
                JsonRouter.get("/products", call -> list(call.query("category"))),
                JsonRouter.get("/products/{id}", call -> product(call.capture("id")))));
    }

    private Reply list(String category) {
        if (category == null) return Reply.ok(products);
        ArrayNode selected = Json.array();
        for (JsonNode product : products) {
            if (product.get("category").asText().equalsIgnoreCase(category)) selected.add(product);
        }
        return Reply.ok(selected);  // an unknown category is an empty list, not a 404
    }

    private Reply product(String id) {
        for (JsonNode product : products) {
            if (product.get("id").asText().equals(id)) return Reply.ok(product);
        }
        return Reply.notFound("product " + id + " not found");
    }
}
