package org.sciport.harvest.web;

/**
 * Who a grant (on an instrument or a file) reaches: the user it names, or every member of the
 * team it names, as the catalogue's team events last said ({@code team_member}).
 */
public final class Grantees {

	private Grantees() {
	}

	/**
	 * The condition under which the grant row {@code alias} reaches the caller bound as
	 * {@code :me}.
	 */
	public static String reach(String alias) {
		return "((" + alias + ".grantee_type = 'user' AND " + alias + ".grantee_id = CAST(:me AS uuid)) OR (" + alias
				+ ".grantee_type = 'team' AND " + alias + ".grantee_id IN (SELECT tm.team_id FROM team_member tm "
				+ "WHERE tm.user_id = CAST(:me AS uuid))))";
	}

}
