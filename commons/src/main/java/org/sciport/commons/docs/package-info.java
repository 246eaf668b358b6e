/**
 * Each service's OpenAPI document: what it names itself, how callers authenticate.
 */
@NullMarked
package org.sciport.commons.docs;

import org.jspecify.annotations.NullMarked;
