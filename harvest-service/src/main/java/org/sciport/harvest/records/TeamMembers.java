package org.sciport.harvest.records;

import java.time.Duration;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.sciport.commons.event.CatalogueEvents;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.Topics;
import org.sciport.commons.inbox.EventInbox;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * Keeps {@code team_member} as the catalogue announces teams' members
 * ({@code sciport.team.member.added|removed} on {@code sciport.dataset}), each event applied
 * once: a grant to a team reaches whoever is in it now.
 */
@Component
class TeamMembers {

	static final String CONSUMER = "team-members";

	private final DatabaseClient database;

	private final EventInbox inbox;

	private final CloudEventCodec codec;

	TeamMembers(DatabaseClient database, EventInbox inbox, CloudEventCodec codec) {
		this.database = database;
		this.inbox = inbox;
		this.codec = codec;
	}

	// Kafka's listener thread: waiting keeps the offset behind the change.
	@KafkaListener(topics = Topics.DATASET, groupId = "harvest-service-teams" + Topics.GROUP_SUFFIX)
	void onCatalogueEvent(ConsumerRecord<String, String> record) {
		this.inbox.applyOnce(record, CONSUMER, Duration.ofSeconds(30), (event) -> {
			if (CatalogueEvents.TeamMemberAdded.TYPE.equals(event.type())) {
				CatalogueEvents.TeamMemberAdded added = this.codec.dataAs(event, CatalogueEvents.TeamMemberAdded.class);
				return this.database
					.sql("INSERT INTO team_member (team_id, user_id) VALUES (:team, :user) ON CONFLICT DO NOTHING")
					.bind("team", UUID.fromString(added.teamId()))
					.bind("user", UUID.fromString(added.userId()))
					.then();
			}
			if (CatalogueEvents.TeamMemberRemoved.TYPE.equals(event.type())) {
				CatalogueEvents.TeamMemberRemoved removed = this.codec.dataAs(event, CatalogueEvents.TeamMemberRemoved.class);
				return this.database.sql("DELETE FROM team_member WHERE team_id = :team AND user_id = :user")
					.bind("team", UUID.fromString(removed.teamId()))
					.bind("user", UUID.fromString(removed.userId()))
					.then();
			}
			return null;
		});
	}

}
