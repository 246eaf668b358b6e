/**
 * One API page for the whole suite: Swagger UI at {@code /docs} over the services' OpenAPI
 * documents, each served through the gateway, and their union at {@code /openapi.json}.
 */
@NullMarked
package org.sciport.gateway.docs;

import org.jspecify.annotations.NullMarked;
