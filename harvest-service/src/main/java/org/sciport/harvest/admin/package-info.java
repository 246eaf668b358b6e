/**
 * What administrators manage: storage locations, service accounts, instruments (with who may
 * see their files) and harvest schedules. Every endpoint here answers 403 to anyone else.
 */
@NullMarked
package org.sciport.harvest.admin;

import org.jspecify.annotations.NullMarked;
