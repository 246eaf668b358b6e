/**
 * The native API's page request and page response (page/per_page with pagination and links).
 */
@NullMarked
package org.sciport.commons.page;

import org.jspecify.annotations.NullMarked;
